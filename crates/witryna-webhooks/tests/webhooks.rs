//! Webhooks end to end on a real sled store and real HTTP: a receiver on loopback gets
//! every change once it answers 2xx, signed so that an independent implementation (Python's
//! `hmac`) verifies it; failures are retried and logged per endpoint; redirects are not
//! followed, slow receivers time out, and private addresses are refused unless allowed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use witryna_core::audit::DeliveryState;
use witryna_core::content::Page;
use witryna_core::{Cms, Kinds};
use witryna_webhooks::{DispatchOptions, Dispatcher, NewWebhook, WebhookError, WebhookOutbox};

/// What the receiver got: the headers and body of each request.
type Received = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A receiver on loopback answering each request with the next of `answers` (the last one
/// for ever), after `delay`.
async fn receiver(answers: Vec<StatusCode>, delay: Duration) -> (String, Received) {
    let received: Received = Arc::default();
    let seen = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let seen = seen.clone();
            let answers = answers.clone();
            async move {
                tokio::time::sleep(delay).await;
                let n = {
                    let mut seen = seen.lock().unwrap();
                    seen.push((headers, body));
                    seen.len()
                };
                let status = answers[(n - 1).min(answers.len() - 1)];
                (status, [("location", "http://127.0.0.1:9/elsewhere")])
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

struct Site {
    cms: Cms,
    dispatcher: Dispatcher,
    _dir: tempfile::TempDir,
}

async fn site(options: DispatchOptions) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(witryna_sled::SledStore::open(dir.path()).unwrap());
    let outbox = WebhookOutbox::new();
    let cms = Cms::new(store)
        .with_kinds(witryna_webhooks::kinds(Kinds::builtin()))
        .with_outbox(outbox.clone())
        .with_derived(outbox.clone());
    outbox.load(cms.store()).await.unwrap();
    let dispatcher = Dispatcher::new(cms.clone(), outbox, options).unwrap();
    Site { cms, dispatcher, _dir: dir }
}

fn fast() -> DispatchOptions {
    DispatchOptions {
        allow_private: true,
        timeout: Duration::from_millis(500),
        first_retry: Duration::from_millis(50),
        ..DispatchOptions::default()
    }
}

fn page(title: &str) -> Page {
    Page { title: title.into(), summary: String::new(), body: "Tekst.".into(), attachments: Vec::new() }
}

fn hook(url: &str, events: &[&str]) -> NewWebhook {
    NewWebhook {
        name: "Portal miasta".into(),
        url: url.into(),
        events: events.iter().map(|e| e.to_string()).collect(),
        secret: None,
    }
}

/// Rounds until nothing is due (or `rounds` are made), waiting between them.
async fn drain(site: &Site, rounds: usize) {
    for _ in 0..rounds {
        site.dispatcher.round().await.unwrap();
        let pending = site.cms.store().due_deliveries(site.cms.now() + chrono::Duration::hours(48), 100).await;
        if pending.unwrap().is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
}

/// The Standard Webhooks signature, computed by Python's own `hmac` and `base64`.
fn python_signature(secret: &str, id: &str, timestamp: &str, body: &str) -> String {
    let script = "import base64,hashlib,hmac,os\n\
                  key = base64.b64decode(os.environ['SECRET'].split('_', 1)[1])\n\
                  msg = (os.environ['ID'] + '.' + os.environ['TS'] + '.' + os.environ['BODY']).encode()\n\
                  print('v1,' + base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode())";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .env("SECRET", secret)
        .env("ID", id)
        .env("TS", timestamp)
        .env("BODY", body)
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test]
async fn changes_arrive_signed_and_failures_are_retried_and_logged() {
    let (url, received) =
        receiver(vec![StatusCode::INTERNAL_SERVER_ERROR, StatusCode::NO_CONTENT], Duration::ZERO).await;
    let s = site(fast()).await;
    let endpoint =
        witryna_webhooks::create(&s.cms, hook(&url, &["item.published", "item.deleted"]), true).await.unwrap();
    let secret = endpoint.content.secret.clone();
    assert!(secret.starts_with("whsec_"));

    let item = s.cms.create(page("Dyżur")).await.unwrap();
    let published = s.cms.publish(item.meta.id, 1, None).await.unwrap();
    s.cms.delete(item.meta.id, published.version).await.unwrap();
    drain(&s, 50).await;

    let got = received.lock().unwrap().clone();
    // Two deliveries (the creation was not asked for); the first request got 500 and its
    // delivery was sent again: the same bytes under the same id.
    assert_eq!(got.len(), 3, "{got:?}");
    let id = |i: usize| got[i].0["webhook-id"].to_str().unwrap().to_owned();
    let retried = (0..3).find(|&i| i > 0 && id(i) == id(0)).expect("the failed delivery is sent again");
    assert_eq!(got[retried].1, got[0].1, "a retry sends the same bytes");
    let bodies: Vec<serde_json::Value> = got.iter().map(|(_, b)| serde_json::from_str(b).unwrap()).collect();
    let mut events: Vec<&str> = bodies.iter().map(|b| b["type"].as_str().unwrap()).collect();
    events.sort();
    events.dedup();
    assert_eq!(events, ["item.deleted", "item.published"]);
    let published = bodies.iter().find(|b| b["type"] == "item.published").unwrap();
    assert_eq!(published["data"]["id"], item.meta.id.to_string());
    assert_eq!(
        (published["data"]["status"].as_str(), published["data"]["public"].as_bool()),
        (Some("published"), Some(true))
    );
    for (headers, body) in &got {
        let header = |name: &str| headers[name].to_str().unwrap().to_owned();
        let expected = python_signature(&secret, &header("webhook-id"), &header("webhook-timestamp"), body);
        assert_eq!(header("webhook-signature"), expected, "Python's hmac agrees");
        assert_eq!(header("content-type"), "application/json");
    }

    let log = witryna_webhooks::deliveries(&s.cms, endpoint.meta.id, None, 10).await.unwrap();
    let mut attempts: Vec<u32> = log.iter().map(|d| d.attempts).collect();
    attempts.sort();
    assert_eq!(attempts, [1, 2], "the log records each attempt");
    for d in &log {
        assert_eq!(
            (d.state, d.last_status, d.next_at, d.last_error.as_deref()),
            (DeliveryState::Delivered, Some(204), None, None)
        );
    }
}

#[tokio::test]
async fn redirects_slow_receivers_and_private_addresses_fail_and_are_given_up() {
    let (redirecting, redirected) = receiver(vec![StatusCode::FOUND], Duration::ZERO).await;
    let (slow, _) = receiver(vec![StatusCode::NO_CONTENT], Duration::from_secs(3)).await;
    let options = DispatchOptions { give_up_after: chrono::Duration::milliseconds(300), ..fast() };
    let s = site(options).await;
    let a = witryna_webhooks::create(&s.cms, hook(&redirecting, &["item.created"]), true).await.unwrap();
    let b = witryna_webhooks::create(&s.cms, hook(&slow, &["item.created"]), true).await.unwrap();
    s.cms.create(page("Nabór")).await.unwrap();
    for _ in 0..20 {
        drain(&s, 1).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let cms = &s.cms;
    let last = |id| async move { witryna_webhooks::deliveries(cms, id, None, 10).await.unwrap().remove(0) };
    let redirect = last(a.meta.id).await;
    assert_eq!((redirect.state, redirect.last_status), (DeliveryState::Failed, Some(302)), "{redirect:?}");
    assert!(redirect.last_error.as_deref().unwrap().contains("redirects are not followed"));
    assert!(!redirected.lock().unwrap().is_empty());
    let timed_out = last(b.meta.id).await;
    assert_eq!(timed_out.state, DeliveryState::Failed, "{timed_out:?}");
    assert!(timed_out.last_error.as_deref().unwrap().contains("timed out"), "{timed_out:?}");

    // Registering a loopback endpoint is refused unless allowed.
    let refused = witryna_webhooks::create(&s.cms, hook(&redirecting, &[]), false).await;
    assert!(matches!(refused, Err(WebhookError::Refused(_))), "{refused:?}");
    let named = redirecting.replace("127.0.0.1", "localhost");
    let refused = witryna_webhooks::create(&s.cms, hook(&named, &[]), false).await;
    assert!(matches!(refused, Err(WebhookError::Refused(_))), "a name resolving to loopback: {refused:?}");
    let invalid = witryna_webhooks::create(&s.cms, hook("ftp://example.org/", &["item.exploded"]), true).await;
    match invalid {
        Err(WebhookError::Cms(witryna_core::CmsError::Invalid(e))) => {
            assert!(e.has("url") && e.has("events[0]"), "{e:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_dispatcher_that_does_not_allow_private_addresses_never_reaches_them() {
    let (url, received) = receiver(vec![StatusCode::NO_CONTENT], Duration::ZERO).await;
    // Registered by a server that allowed it; delivered by one that does not.
    let s = site(DispatchOptions { allow_private: false, ..fast() }).await;
    let by_ip = witryna_webhooks::create(&s.cms, hook(&url, &[]), true).await.unwrap();
    let by_name =
        witryna_webhooks::create(&s.cms, hook(&url.replace("127.0.0.1", "localhost"), &[]), true).await.unwrap();
    s.cms.create(page("Ogłoszenie")).await.unwrap();
    s.dispatcher.round().await.unwrap();
    for id in [by_ip.meta.id, by_name.meta.id] {
        let d = witryna_webhooks::deliveries(&s.cms, id, None, 10).await.unwrap().remove(0);
        assert_eq!((d.state, d.attempts), (DeliveryState::Pending, 1), "{d:?}");
        let error = d.last_error.unwrap();
        assert!(error.contains("refused") || error.contains("may not go"), "{error}");
    }
    assert!(received.lock().unwrap().is_empty(), "nothing reached the private address");
}

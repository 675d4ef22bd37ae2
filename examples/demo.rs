//! The main job: opens the sled store in `./witryna-data` (or the folder given as the first
//! argument), seeds the demo content built from real MOPS pages when the store is empty,
//! and prints the newest news, the programmes with their budgets, and which units are
//! open right now and when that changes.
//!
//! ```text
//! cargo run --release --example demo [DATA_DIR]
//! ```

use std::process::ExitCode;
use std::sync::Arc;

use chrono::Utc;
use chrono_tz::Europe::Warsaw;
use witryna::content::{NewsArticle, Programme, Unit};
use witryna::sled::SledStore;
use witryna::{pl, Cms, Query};

#[tokio::main]
async fn main() -> ExitCode {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "witryna-data".to_owned());
    match run(&dir).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("witryna demo: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(dir: &str) -> Result<(), Box<dyn std::error::Error>> {
    let cms = Cms::new(Arc::new(SledStore::open(dir)?));
    let report = witryna::demo::seed(&cms).await?;
    println!("Witryna demo — sled store in {dir}");
    if report.seeded {
        println!("Seeded {} items of demo content.", report.items);
    } else {
        println!("The store already has content; not seeded.");
    }

    println!("\nAktualności (najnowsze)");
    let news = cms.list::<NewsArticle>(Query { limit: Some(5), ..Query::default() }).await?;
    for item in &news.items {
        let published = item.meta.publish_at.map(|t| t.with_timezone(&Warsaw).format("%Y-%m-%d %H:%M:%S").to_string());
        println!("  • {}", item.content.title);
        println!("    Dodano przez {}, {}", item.content.author, published.unwrap_or_default());
        if let Some(event) = &item.content.event {
            let mut line = format!("    Wydarzenie: {}", pl::date(event.date));
            if let Some(place) = &event.place {
                line += &format!(", {place}");
            }
            if let Some(n) = event.participants {
                line += &format!(", uczestników: {n}");
            }
            println!("{line}");
        }
        println!("    /aktualnosci/{}", item.meta.slug);
    }

    println!("\nProjekty");
    let today = Utc::now().with_timezone(&Warsaw).date_naive();
    let programmes = cms.list::<Programme>(Query { limit: Some(100), ..Query::default() }).await?;
    for item in &programmes.items {
        let p = &item.content;
        let status = p.status_on(today).map_or("", |s| s.label_pl());
        println!("  • {} [{status}]", p.name);
        if let Some(period) = p.period {
            println!("    okres realizacji: {} – {}", pl::date(period.start), pl::date(period.end));
        }
        if let Some(f) = &p.funding {
            println!(
                "    finansowanie: {}{}",
                f.programme,
                f.fund.as_deref().map(|f| format!(" ({f})")).unwrap_or_default()
            );
        }
        if let Some(b) = p.budget {
            for (label, value) in [
                ("wartość projektu", b.total),
                ("dofinansowanie", b.co_financing),
                ("wkład własny", b.own_contribution),
            ] {
                if let Some(v) = value {
                    println!("    {label}: {v}");
                }
            }
        }
        for i in &p.indicators {
            let unit = i.unit.as_deref().unwrap_or("");
            match (i.target, i.achieved) {
                (Some(t), Some(a)) => println!("    {}: {a} z {t} {unit}", i.label),
                (None, Some(a)) => println!("    {}: {a} {unit}", i.label),
                (Some(t), None) => println!("    {}: cel {t} {unit}", i.label),
                (None, None) => {}
            }
        }
    }

    println!("\nJednostki (teraz: {})", pl::datetime(Utc::now()));
    let units = cms.list::<Unit>(Query { limit: Some(100), ..Query::default() }).await?;
    let now = Utc::now();
    for item in &units.items {
        let hours = &item.content.office_hours;
        let state = if hours.weekly == Default::default() && hours.exceptions.is_empty() {
            "godziny pracy nie zostały podane".to_owned()
        } else {
            let open = if hours.is_open_at(now) { "otwarte teraz" } else { "zamknięte" };
            match hours.next_change_after(now) {
                Some(t) => {
                    let what = if hours.is_open_at(now) { "zamknięcie" } else { "otwarcie" };
                    let day = pl::weekday(chrono::Datelike::weekday(&t.with_timezone(&Warsaw)));
                    format!("{open}; {what}: {day}, {}", pl::datetime(t))
                }
                None => open.to_owned(),
            }
        };
        println!("  • {} — {state}", item.content.name);
    }
    Ok(())
}

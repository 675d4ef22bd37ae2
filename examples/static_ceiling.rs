//! The load test's ceiling: an axum server that answers every request with the same
//! bytes, of a given size, with no store behind it. `scripts/load.sh` compares the API
//! against it in one run.
//!
//! ```text
//! cargo run --release --example static_ceiling -- 127.0.0.1:9000 3178
//! ```

use axum::http::header;
use axum::routing::get;
use axum::Router;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:9000".into());
    let size: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(2048);
    let body = axum::body::Bytes::from(vec![b'x'; size]);
    let app = Router::new().fallback(get(move || {
        let body = body.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], body) }
    }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("static ceiling: {size} bytes on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

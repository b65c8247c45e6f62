//! Benchmark upstream: answers every HTTP/1.1 request with the same 39-byte JSON body, keep-alive, TCP_NODELAY.
//! Usage: tollgate-bench-upstream PORT [WORKER_THREADS]
use std::convert::Infallible;
use std::net::SocketAddr;

use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::service::{make_service_fn, service_fn};
use hyper::{Body, Request, Response, Server};

const BODY: &[u8] = br#"{"order":123,"status":"shipped","ok":1}"#;

async fn answer(_req: Request<Body>) -> Result<Response<Body>, Infallible> {
    let mut res = Response::new(Body::from(BODY));
    res.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(res)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).expect("usage: tollgate-bench-upstream PORT [THREADS]");
    let threads: usize = args.next().and_then(|t| t.parse().ok()).unwrap_or(2);
    assert_eq!(BODY.len(), 39);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async move {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let make = make_service_fn(|_conn| async { Ok::<_, Infallible>(service_fn(answer)) });
        let server = Server::bind(&addr).tcp_nodelay(true).http1_keepalive(true).serve(make);
        eprintln!("upstream listening on {addr} ({threads} threads)");
        if let Err(e) = server.await {
            eprintln!("upstream error: {e}");
            std::process::exit(1);
        }
    });
}

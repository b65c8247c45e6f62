//! rust-inventory: an example Rust service behind Tollgate (hyper 0.14 + tokio). An inventory API with a health
//! check, a slow endpoint, failure injection and an echo of what the gateway forwarded, on one port serving
//! HTTP/1.1 and h2c (HTTP/2 with prior knowledge).

use hyper::body::HttpBody;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::service::{make_service_fn, service_fn};
use hyper::{Body, Method, Request, Response, Server, StatusCode};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct State {
    items: Mutex<BTreeMap<u64, (String, u64)>>,
    next: AtomicU64,
    posts: AtomicU64,
}

/// Escapes a string for a JSON string literal.
fn js(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json(status: StatusCode, body: String) -> Response<Body> {
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    res.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

fn header<'a>(req: &'a Request<Body>, name: &str) -> &'a str {
    req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn query_param(req: &Request<Body>, name: &str) -> Option<String> {
    req.uri().query().and_then(|q| {
        q.split('&').find_map(|pair| {
            let mut kv = pair.splitn(2, '=');
            if kv.next() == Some(name) { kv.next().map(|v| v.to_string()) } else { None }
        })
    })
}

fn param(req: &Request<Body>, header_name: &str, query: &str) -> Option<String> {
    let h = header(req, header_name);
    if !h.is_empty() { Some(h.to_string()) } else { query_param(req, query) }
}

fn echo(req: &Request<Body>, body_bytes: usize) -> String {
    let headers: Vec<String> = req
        .headers()
        .iter()
        .map(|(k, v)| format!("{}:{}", js(k.as_str()), js(v.to_str().unwrap_or("<binary>"))))
        .collect();
    format!(
        "{{\"service\":\"rust-inventory\",\"method\":{},\"path\":{},\"raw_query\":{},\"version\":{},\"request_id\":{},\"traceparent\":{},\"body_bytes\":{},\"headers\":{{{}}}}}",
        js(req.method().as_str()),
        js(req.uri().path()),
        js(req.uri().query().unwrap_or("")),
        js(&format!("{:?}", req.version())),
        js(header(req, "x-request-id")),
        js(header(req, "traceparent")),
        body_bytes,
        headers.join(",")
    )
}

/// Failure injection on any path: X-Inject-Delay-Ms / ?delay_ms=, X-Inject-Status / ?status=,
/// X-Inject-Reset / ?reset=1 (the connection is dropped without an answer).
async fn inject(req: &Request<Body>) -> Result<Option<Response<Body>>, &'static str> {
    if let Some(ms) = param(req, "x-inject-delay-ms", "delay_ms").and_then(|v| v.parse::<u64>().ok()) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if param(req, "x-inject-reset", "reset").is_some() {
        return Err("injected reset");
    }
    if let Some(status) = param(req, "x-inject-status", "status").and_then(|v| v.parse::<u16>().ok()) {
        if let Ok(code) = StatusCode::from_u16(status) {
            return Ok(Some(json(code, format!("{{\"service\":\"rust-inventory\",\"injected_status\":{}}}", status))));
        }
    }
    Ok(None)
}

async fn read_body(req: &mut Request<Body>, limit: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(chunk) = req.body_mut().data().await {
        match chunk {
            Ok(bytes) => {
                if out.len() < limit {
                    out.extend_from_slice(&bytes[..bytes.len().min(limit - out.len())]);
                }
            }
            Err(_) => break,
        }
    }
    out
}

fn field<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    // A tiny reader for {"name": "...", "quantity": n}: enough for an example, not a JSON parser.
    let key = format!("\"{}\"", name);
    let start = body.find(&key)? + key.len();
    let rest = body[start..].trim_start().strip_prefix(':')?.trim_start();
    if let Some(s) = rest.strip_prefix('"') {
        s.find('"').map(|end| &s[..end])
    } else {
        let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        Some(&rest[..end])
    }
}

async fn handle(state: Arc<State>, mut req: Request<Body>) -> Result<Response<Body>, &'static str> {
    if let Some(res) = inject(&req).await? {
        return Ok(res);
    }
    let path = req.uri().path().to_string();
    let res = match (req.method().clone(), path.as_str()) {
        (Method::GET, "/healthz") => json(StatusCode::OK, "{\"status\":\"ok\",\"service\":\"rust-inventory\"}".into()),
        (_, "/echo") => {
            let body = read_body(&mut req, usize::MAX).await;
            json(StatusCode::OK, echo(&req, body.len()))
        }
        (Method::GET, "/slow") => {
            let ms = query_param(&req, "ms").and_then(|v| v.parse::<u64>().ok()).unwrap_or(1000);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            json(StatusCode::OK, format!("{{\"service\":\"rust-inventory\",\"slept_ms\":{}}}", ms))
        }
        (Method::GET, "/stats") => json(
            StatusCode::OK,
            format!(
                "{{\"items\":{},\"posts\":{}}}",
                state.items.lock().unwrap().len(),
                state.posts.load(Ordering::SeqCst)
            ),
        ),
        (Method::GET, "/items") => {
            let items = state.items.lock().unwrap();
            let list: Vec<String> = items
                .iter()
                .map(|(id, (name, qty))| format!("{{\"id\":{},\"name\":{},\"quantity\":{}}}", id, js(name), qty))
                .collect();
            json(StatusCode::OK, format!("{{\"items\":[{}],\"request\":{}}}", list.join(","), echo(&req, 0)))
        }
        (Method::POST, "/items") => {
            let body = read_body(&mut req, 1 << 20).await;
            let text = String::from_utf8_lossy(&body).to_string();
            match field(&text, "name") {
                Some(name) if !name.is_empty() => {
                    let qty = field(&text, "quantity").and_then(|q| q.parse().ok()).unwrap_or(1);
                    let id = state.next.fetch_add(1, Ordering::SeqCst);
                    state.posts.fetch_add(1, Ordering::SeqCst);
                    state.items.lock().unwrap().insert(id, (name.to_string(), qty));
                    json(StatusCode::CREATED, format!("{{\"id\":{},\"name\":{},\"quantity\":{}}}", id, js(name), qty))
                }
                _ => json(StatusCode::BAD_REQUEST, "{\"error\":\"send {\\\"name\\\": \\\"...\\\", \\\"quantity\\\": n}\"}".into()),
            }
        }
        (Method::GET, p) if p.starts_with("/items/") => {
            let found = p["/items/".len()..]
                .parse::<u64>()
                .ok()
                .and_then(|id| state.items.lock().unwrap().get(&id).cloned().map(|v| (id, v)));
            match found {
                Some((id, (name, qty))) => json(
                    StatusCode::OK,
                    format!("{{\"item\":{{\"id\":{},\"name\":{},\"quantity\":{}}},\"request\":{}}}", id, js(&name), qty, echo(&req, 0)),
                ),
                None => json(StatusCode::NOT_FOUND, "{\"error\":\"no such item\"}".into()),
            }
        }
        _ => json(StatusCode::NOT_FOUND, "{\"error\":\"no such endpoint\"}".into()),
    };
    Ok(res)
}

#[tokio::main]
async fn main() {
    let addr: SocketAddr = std::env::args()
        .skip_while(|a| a != "--addr")
        .nth(1)
        .or_else(|| std::env::var("RUST_INVENTORY_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:9082".into())
        .parse()
        .expect("--addr must be host:port");
    let state = Arc::new(State { items: Mutex::new(BTreeMap::new()), next: AtomicU64::new(1), posts: AtomicU64::new(0) });
    for (name, qty) in [("bolts", 120u64), ("nuts", 300), ("washers", 75)] {
        let id = state.next.fetch_add(1, Ordering::SeqCst);
        state.items.lock().unwrap().insert(id, (name.to_string(), qty));
    }
    let make = make_service_fn(move |_| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(service_fn(move |req| handle(state.clone(), req))) }
    });
    // Both protocols on one port: HTTP/1.1, and h2c when the client starts with the HTTP/2 preface. No Nagle:
    // small HTTP/2 frames would otherwise wait ~40 ms.
    let server = Server::bind(&addr).tcp_nodelay(true).serve(make);
    println!("rust-inventory listening on {} (HTTP/1.1 and h2c)", server.local_addr());
    let graceful = server.with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    if let Err(e) = graceful.await {
        eprintln!("rust-inventory: {}", e);
        std::process::exit(1);
    }
}

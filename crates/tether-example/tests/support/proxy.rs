//! A counting proxy in front of the hub: forwards every request as is and remembers its path,
//! so tests can count the hub round trips the SDK makes.

use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::header::{CONNECTION, HOST, TRANSFER_ENCODING};
use axum::response::Response;
use axum::Router;
use tether_testkit::loopback_client;

#[derive(Clone)]
struct Forward {
    target: String,
    seen: Arc<Mutex<Vec<String>>>,
    http: reqwest::Client,
}

/// A running proxy; its server task ends with the test's runtime.
pub struct CountingProxy {
    pub url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl CountingProxy {
    pub async fn start(target: &str) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let forward = Forward {
            target: target.to_owned(),
            seen: seen.clone(),
            http: loopback_client(),
        };
        let app = Router::new().fallback(handle).with_state(forward);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });

        Self { url, seen }
    }

    /// Requests whose path ends with `suffix` (`/token`, `/me`).
    pub fn count(&self, suffix: &str) -> usize {
        let seen = self.seen.lock().unwrap();
        seen.iter().filter(|path| path.ends_with(suffix)).count()
    }
}

async fn handle(State(forward): State<Forward>, request: Request) -> Response {
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    forward
        .seen
        .lock()
        .unwrap()
        .push(request.uri().path().to_owned());

    let mut outbound = forward.http.request(
        request.method().clone(),
        format!("{}{path_and_query}", forward.target),
    );
    for (name, value) in request.headers() {
        if name != HOST {
            outbound = outbound.header(name, value);
        }
    }
    let body = to_bytes(request.into_body(), 1 << 20).await.unwrap();
    let answer = outbound
        .body(body)
        .send()
        .await
        .expect("hub answers the proxy");

    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if name != TRANSFER_ENCODING && name != CONNECTION {
            response = response.header(name, value);
        }
    }
    let body = answer.bytes().await.unwrap();
    response.body(Body::from(body)).unwrap()
}

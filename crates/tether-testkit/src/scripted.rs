//! A token endpoint on 127.0.0.1 that answers what the test scripts, as slowly and as often as it
//! is told, and records every request it receives.
//!
//! Unlike the Node fixtures it needs nothing installed: it is an axum server on the test's own
//! runtime, so it stops when the test ends.
//!
//! ```no_run
//! # async fn example() {
//! use std::time::Duration;
//! use tether_testkit::{Reply, ScriptedEndpoint};
//!
//! let endpoint = ScriptedEndpoint::start().await;
//! endpoint.push([Reply::raw(503, "text/html", "<h1>down</h1>"), Reply::token("at-1")]);
//! endpoint.otherwise(Reply::token("at-n").delayed(Duration::from_millis(300)));
//! // ... point a tokenUrl at endpoint.url("/token") and exchange ...
//! assert!(endpoint.wait_for_requests(2, Duration::from_secs(5)).await);
//! # }
//! ```

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;
use tokio::sync::watch;

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Answers after `delay` (before the headers are sent).
    Respond {
        /// The status code.
        status: u16,
        /// Headers, in order.
        headers: Vec<(String, String)>,
        /// The whole body, sent with a `Content-Length`.
        body: Vec<u8>,
        /// How long to wait before sending the headers.
        delay: Duration,
    },
    /// Accepts the request and never answers.
    Hang,
    /// Sends a 200, then a body that never ends.
    EndlessBody,
    /// Sends a 200 and this many bytes in chunks, without a `Content-Length`.
    ChunkedBody {
        /// How many bytes in all.
        bytes: usize,
    },
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self::raw(status, "application/json", body.to_string())
    }

    /// An answer with any content type and body.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self::Respond {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    /// A successful Bearer token answer that expires in an hour.
    pub fn token(access_token: &str) -> Self {
        Self::json(
            200,
            serde_json::json!({"access_token": access_token, "token_type": "Bearer",
                               "expires_in": 3600}),
        )
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Self::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// Waits this long before sending the headers.
    pub fn delayed(mut self, by: Duration) -> Self {
        if let Self::Respond { delay, .. } = &mut self {
            *delay = by;
        }
        self
    }
}

/// One request as the endpoint received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `POST`, `GET`, …
    pub method: String,
    /// Path and query, as sent.
    pub uri: String,
    /// Header names in lower case, values as sent.
    pub headers: Vec<(String, String)>,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
}

impl Recorded {
    /// The first value of a header, by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body read as `application/x-www-form-urlencoded` pairs, decoded, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .into_owned()
            .collect()
    }

    /// The first value of a form field in the body.
    pub fn form_value(&self, key: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value)
    }
}

struct Script {
    replies: Mutex<VecDeque<Reply>>,
    otherwise: Mutex<Reply>,
    received: Mutex<Vec<Recorded>>,
    count: watch::Sender<usize>,
}

/// The running endpoint; it stops with the test's runtime.
pub struct ScriptedEndpoint {
    addr: SocketAddr,
    script: Arc<Script>,
}

impl ScriptedEndpoint {
    /// Starts an endpoint on an ephemeral loopback port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port for the scripted endpoint");
        let addr = listener.local_addr().expect("the endpoint's address");
        let script = Arc::new(Script {
            replies: Mutex::default(),
            otherwise: Mutex::new(Reply::raw(500, "text/plain", "nothing scripted")),
            received: Mutex::default(),
            count: watch::Sender::new(0),
        });

        let app = Router::new().fallback(answer).with_state(script.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, script }
    }

    /// An `http://127.0.0.1:port` URL for `path_and_query`.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{path_and_query}", self.addr)
    }

    /// Queues the next answers, one per request, in order.
    pub fn push(&self, replies: impl IntoIterator<Item = Reply>) {
        self.script.replies.lock().unwrap().extend(replies);
    }

    /// What every request gets once the queue is empty; a 500 unless set.
    pub fn otherwise(&self, reply: Reply) {
        *self.script.otherwise.lock().unwrap() = reply;
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.script.received.lock().unwrap().clone()
    }

    /// How many requests arrived so far.
    pub fn request_count(&self) -> usize {
        *self.script.count.borrow()
    }

    /// Waits until at least `count` requests have arrived (recorded before any scripted delay),
    /// for at most `within`; whether they did.
    pub async fn wait_for_requests(&self, count: usize, within: Duration) -> bool {
        let mut seen = self.script.count.subscribe();
        let arrived = async { seen.wait_for(|received| *received >= count).await.is_ok() };
        tokio::time::timeout(within, arrived).await.unwrap_or(false)
    }
}

async fn answer(State(script): State<Arc<Script>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.to_string(), value)
        })
        .collect();
    script.received.lock().unwrap().push(Recorded {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    script.count.send_modify(|count| *count += 1);

    let next = script.replies.lock().unwrap().pop_front();
    let reply = next.unwrap_or_else(|| script.otherwise.lock().unwrap().clone());
    match reply {
        Reply::Respond {
            status,
            headers,
            body,
            delay,
        } => {
            tokio::time::sleep(delay).await;
            let mut response = Response::builder().status(status);
            for (name, value) in headers {
                response = response.header(name, value);
            }
            response
                .body(Body::from(body))
                .expect("a scripted response is valid HTTP")
        }
        Reply::Hang => std::future::pending().await,
        Reply::EndlessBody => {
            let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
            let chunks = futures::stream::repeat_with(move || Ok::<_, Infallible>(chunk.clone()));
            Response::new(Body::from_stream(chunks))
        }
        Reply::ChunkedBody { bytes } => {
            let chunks = (0..bytes.div_ceil(4096)).map(move |i| {
                let len = (bytes - i * 4096).min(4096);
                Ok::<_, Infallible>(Bytes::from(vec![b'y'; len]))
            });
            Response::new(Body::from_stream(futures::stream::iter(chunks)))
        }
    }
}

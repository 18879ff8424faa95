//! A token endpoint on 127.0.0.1 that answers what the test scripts, as slowly as it is told,
//! and records every request it receives.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;

/// One scripted answer.
#[derive(Debug, Clone)]
pub(crate) enum Reply {
    /// Answers after `delay` (before the headers are sent).
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        delay: Duration,
    },
    /// Accepts the request and never answers.
    Hang,
    /// Sends the status, then a body that never ends.
    EndlessBody,
    /// Sends this many bytes in chunks, without a `Content-Length`.
    ChunkedBody { bytes: usize },
}

impl Reply {
    /// A JSON answer.
    pub(crate) fn json(status: u16, body: serde_json::Value) -> Self {
        Self::Respond {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
            delay: Duration::ZERO,
        }
    }

    /// An answer with any content type and body.
    pub(crate) fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self::Respond {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    /// A successful token answer.
    pub(crate) fn token(access_token: &str) -> Self {
        Self::json(
            200,
            serde_json::json!({"access_token": access_token, "token_type": "Bearer",
                               "expires_in": 3600}),
        )
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &str, value: &str) -> Self {
        if let Self::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// Waits this long before sending the headers.
    pub(crate) fn delayed(mut self, by: Duration) -> Self {
        if let Self::Respond { delay, .. } = &mut self {
            *delay = by;
        }
        self
    }
}

/// One request as the endpoint received it.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) method: String,
    pub(crate) uri: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Recorded {
    /// The first value of a header, by lower-case name.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

#[derive(Default)]
struct Script {
    replies: Mutex<VecDeque<Reply>>,
    received: Mutex<Vec<Recorded>>,
}

/// The running endpoint; it stops with the test's runtime.
pub(crate) struct ScriptedEndpoint {
    addr: SocketAddr,
    script: Arc<Script>,
}

impl ScriptedEndpoint {
    /// Starts an endpoint on an ephemeral loopback port.
    pub(crate) async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let script = Arc::new(Script::default());

        let app = Router::new().fallback(answer).with_state(script.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, script }
    }

    /// An `http://127.0.0.1:port` URL for `path_and_query`.
    pub(crate) fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{path_and_query}", self.addr)
    }

    /// Queues the next answers; once the queue is empty, every request gets a 500.
    pub(crate) fn push(&self, replies: impl IntoIterator<Item = Reply>) {
        self.script.replies.lock().unwrap().extend(replies);
    }

    /// Every request received so far.
    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.script.received.lock().unwrap().clone()
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

    let next = script.replies.lock().unwrap().pop_front();
    let reply = next.unwrap_or_else(|| Reply::raw(500, "text/plain", "nothing scripted"));
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
            response.body(Body::from(body)).unwrap()
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

//! `planrun serve`: the run record as a small web site. Pages are rendered
//! on the server (maud escapes every value, and recorded output is plan
//! and host output: untrusted); nothing is loaded from anywhere else. A
//! page of a running run refreshes its main part every two seconds.
//!
//! URLs are permalinks: `/runs/12`, `/runs/12/hosts/secure001`,
//! `/hosts/secure001` (the runs one host took part in).

mod pages;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::Markup;
use serde::Deserialize;

use crate::record::{Filter, Record};

/// The same for every response: this site loads nothing from elsewhere and
/// runs no inline script, so injected markup could do nothing even if
/// escaping ever failed.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const STYLE: &str = include_str!("style.css");
const LIVE_JS: &str = include_str!("live.js");

/// Runs listed per page.
const PAGE: usize = 100;

type Db = Arc<PathBuf>;

/// Serves the record at `db` on `listen` until Ctrl-C.
pub async fn serve(db: PathBuf, listen: SocketAddr) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener
        .local_addr()
        .context("cannot read the listening address")?;
    println!(
        "planrun: serving the run record {} at http://{addr}/ (Ctrl-C stops)",
        db.display()
    );
    let app = Router::new()
        .route("/", get(runs))
        .route("/runs/{id}", get(run))
        .route("/runs/{id}/hosts/{name}", get(host))
        .route("/hosts/{name}", get(host_history))
        .route(
            "/static/style.css",
            get(|| async { asset("text/css", STYLE) }),
        )
        .route(
            "/static/live.js",
            get(|| async { asset("text/javascript", LIVE_JS) }),
        )
        .fallback(|| async { page_error(StatusCode::NOT_FOUND, "there is no such page".into()) })
        .with_state(Arc::new(db));
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the web server failed")?;
    Ok(())
}

#[derive(Debug, Deserialize, Default)]
struct RunsQuery {
    plan: Option<String>,
    host: Option<String>,
    outcome: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct LiveQuery {
    /// Only the part of the page that refreshes.
    fragment: Option<String>,
}

async fn runs(State(db): State<Db>, Query(q): Query<RunsQuery>) -> Response {
    let non_empty = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let filter = Filter {
        plan: non_empty(q.plan),
        host: non_empty(q.host),
        outcome: non_empty(q.outcome),
        limit: PAGE,
    };
    with_record(db, move |record| {
        let Some(record) = record else {
            return Ok(html(pages::runs(&filter, &[], true)));
        };
        let runs = record.runs(&filter)?;
        Ok(html(pages::runs(&filter, &runs, false)))
    })
    .await
}

async fn run(State(db): State<Db>, Path(id): Path<i64>, Query(q): Query<LiveQuery>) -> Response {
    with_record(db, move |record| {
        let Some(record) = record else {
            return Ok(not_found(format!("there is no run {id}")));
        };
        let Some(run) = record.run(id)? else {
            return Ok(not_found(format!("there is no run {id}")));
        };
        let hosts = record.hosts(id)?;
        let body = pages::run_body(&run, &hosts);
        Ok(match q.fragment {
            Some(_) => html(body),
            None => html(pages::run(&run, body)),
        })
    })
    .await
}

async fn host(
    State(db): State<Db>,
    Path((id, name)): Path<(i64, String)>,
    Query(q): Query<LiveQuery>,
) -> Response {
    with_record(db, move |record| {
        let missing = || not_found(format!("run {id} has no host `{name}`"));
        let Some(record) = record else {
            return Ok(missing());
        };
        let (Some(run), Some(host)) = (record.run(id)?, record.host(id, &name)?) else {
            return Ok(missing());
        };
        let events = record.events(id, host.idx)?;
        let output = record.output(id, host.idx)?;
        let body = pages::host_body(&run, &host, &events, output.as_deref());
        Ok(match q.fragment {
            Some(_) => html(body),
            None => html(pages::host(&run, &host, body)),
        })
    })
    .await
}

async fn host_history(State(db): State<Db>, Path(name): Path<String>) -> Response {
    with_record(db, move |record| {
        let history = match record {
            Some(record) => record.host_history(&name, PAGE)?,
            None => Vec::new(),
        };
        Ok(html(pages::host_history(&name, &history)))
    })
    .await
}

/// Opens the record (None if nothing was ever recorded) and renders with
/// it, off the async threads: SQLite calls block.
async fn with_record(
    db: Db,
    render: impl FnOnce(Option<&Record>) -> Result<Response> + Send + 'static,
) -> Response {
    let result = tokio::task::spawn_blocking(move || {
        if !db.exists() {
            return render(None);
        }
        let record = Record::open(&db)?;
        render(Some(&record))
    })
    .await;
    match result {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => page_error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
        Err(e) => page_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("internal error: {e}"),
        ),
    }
}

fn html(markup: Markup) -> Response {
    secured(
        (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            markup.into_string(),
        )
            .into_response(),
    )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    secured(([(header::CONTENT_TYPE, content_type)], body).into_response())
}

fn not_found(message: String) -> Response {
    page_error(StatusCode::NOT_FOUND, message)
}

fn page_error(status: StatusCode, message: String) -> Response {
    let mut response = html(pages::error(status, &message));
    *response.status_mut() = status;
    response
}

fn secured(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

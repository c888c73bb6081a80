//! The pages, as maud templates: every `(value)` is HTML-escaped, which is
//! what keeps recorded output (`<script>` and all) mere text.

use axum::http::StatusCode;
use maud::{DOCTYPE, Markup, html};

use crate::record::{EventRow, Filter, HostRow, RunRow, time};

const OUTCOMES: [&str; 5] = ["ok", "failed", "interrupted", "crashed", "running"];

/// The frame of every page; `live` is the URL of the main part's fragment
/// when it should keep refreshing.
fn layout(title: &str, live: Option<String>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · planrun" }
                link rel="stylesheet" href="/static/style.css";
                script src="/static/live.js" defer {}
            }
            body {
                header {
                    a href="/" { "planrun runs" }
                    form action="/" method="get" {
                        input type="search" name="host" placeholder="runs with host…" aria-label="host";
                    }
                }
                main id="live" data-live=[live] { (body) }
            }
        }
    }
}

/// `/`: recent runs, filtered.
pub fn runs(filter: &Filter, runs: &[RunRow], no_record: bool) -> Markup {
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let body = html! {
        h1 { "Runs" }
        form.filters action="/" method="get" {
            label { "plan" input name="plan" value=(value(&filter.plan)); }
            label { "host" input name="host" value=(value(&filter.host)) placeholder="name or web*"; }
            label { "outcome"
                select name="outcome" {
                    option value="" { "any" }
                    @for outcome in OUTCOMES {
                        option value=(outcome) selected[filter.outcome.as_deref() == Some(outcome)] { (outcome) }
                    }
                }
            }
            button type="submit" { "Filter" }
        }
        @if no_record {
            p.muted { "No run has been recorded yet." }
        } @else if runs.is_empty() {
            p.muted { "No run matches." }
        } @else {
            table #runs {
                thead { tr { th { "Run" } th { "Started" } th { "Took" } th { "Outcome" } th { "Plan" } th { "Hosts" } th { "By" } } }
                tbody {
                    @for run in runs {
                        tr {
                            td.num { a href=(run_url(run.id)) { "#" (run.id) } }
                            td.mono { (time::format_utc(run.started_ms)) }
                            td.num { (took(run.started_ms, run.ended_ms)) }
                            td { (state(&run.state)) }
                            td { a href=(format!("/?plan={}", encode(&run.plan_name))) { (run.plan_name) } }
                            td { (tally(run)) }
                            td.muted { (run.user) "@" (run.controller) }
                        }
                    }
                }
            }
        }
    };
    layout("Runs", None, body)
}

/// `/runs/ID`.
pub fn run(run: &RunRow, body: Markup) -> Markup {
    let live = (run.state == "running").then(|| format!("{}?fragment=1", run_url(run.id)));
    layout(&format!("Run {} ({})", run.id, run.plan_name), live, body)
}

/// The refreshing part of a run's page: its facts and the host grid.
pub fn run_body(run: &RunRow, hosts: &[HostRow]) -> Markup {
    let params: Vec<String> = run.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    html! {
        @if run.state == "running" { span data-running hidden {} }
        h1 { "Run " (run.id) " · " (run.plan_name) " " (state(&run.state)) }
        dl.meta {
            dt { "plan" } dd.mono { (run.plan_path.display().to_string()) }
            dt { "sha256" } dd.mono { (run.plan_sha256) }
            @if let Some(version) = &run.plan_version { dt { "version" } dd { (version) } }
            dt { "params" } dd.mono { @if params.is_empty() { span.muted { "none" } } @else { (params.join(" ")) } }
            dt { "started" } dd { (time::format_utc(run.started_ms)) " by " (run.user) " on " (run.controller) }
            dt { "took" } dd { (took(run.started_ms, run.ended_ms)) }
            dt { "command" } dd.mono { (run.args.join(" ")) }
            dt { "policy" } dd { "forks " (run.policy.forks) @if run.policy.dry_run { ", dry run" } }
            @if let Some(earlier) = run.retry_of {
                dt { "retry of" } dd { a href=(run_url(earlier)) { "run " (earlier) } }
            }
            dt { "hosts" } dd { (tally(run)) "; " (run.tally.changed) " changes" }
        }
        h2 { "Hosts" }
        div.grid #hosts {
            @for host in hosts {
                a class=(format!("state-{}", host.state)) href=(host_url(run.id, &host.name)) title=(host.state) { (host.name) }
            }
        }
        @let troubled: Vec<&HostRow> = hosts.iter().filter(|h| h.error.is_some()).collect();
        @if !troubled.is_empty() {
            h2 { "Problems" }
            table {
                thead { tr { th { "Host" } th { "State" } th { "Error" } } }
                tbody {
                    @for host in troubled {
                        tr {
                            td { a href=(host_url(run.id, &host.name)) { (host.name) } }
                            td { (state(&host.state)) }
                            td.mono { (host.error.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    }
}

/// `/runs/ID/hosts/NAME`.
pub fn host(run: &RunRow, host: &HostRow, body: Markup) -> Markup {
    let live = host
        .is_live()
        .then(|| format!("{}?fragment=1", host_url(run.id, &host.name)));
    layout(&format!("{} in run {}", host.name, run.id), live, body)
}

/// The refreshing part of a host's page: its facts, timeline and output.
pub fn host_body(
    run: &RunRow,
    host: &HostRow,
    events: &[EventRow],
    output: Option<&str>,
) -> Markup {
    html! {
        @if host.is_live() { span data-running hidden {} }
        h1 { (host.name) " in " a href=(run_url(run.id)) { "run " (run.id) } " · " (run.plan_name) " " (state(&host.state)) }
        dl.meta {
            dt { "address" } dd.mono { (host.address) }
            @if let Some(started) = host.started_ms {
                dt { "started" } dd { (time::format_utc(started)) }
                dt { "took" } dd { (took(started, host.ended_ms)) }
            }
            dt { "changes" } dd { (host.changed) }
            @if let Some(error) = &host.error { dt { "error" } dd.mono { (error) } }
            dt { "history" } dd { a href=(format!("/hosts/{}", encode(&host.name))) { "every run of " (host.name) } }
        }
        h2 { "Timeline" }
        @if events.is_empty() {
            p.muted { "No events recorded." }
        } @else {
            table #timeline {
                thead { tr { th { "At" } th { "What" } th { "Detail" } th { "Result" } th { "Took" } } }
                tbody {
                    @for event in events {
                        tr id=(format!("e{}", event.seq)) class=[event.failed.then_some("failed-row")] {
                            td.num { a href=(format!("#e{}", event.seq)) { "+" (format!("{:.3}", event.at_ms as f64 / 1000.0)) } }
                            td { (event.label.as_deref().unwrap_or(&event.kind)) }
                            td.mono { (event.detail) }
                            td { (result(event)) }
                            td.num { @if let Some(ms) = event.duration_ms { (time::format_duration_ms(ms)) } }
                        }
                    }
                }
            }
        }
        h2 { "Output" }
        @match output {
            Some(text) => pre.output #output { (text) },
            None => p.muted { "No output recorded yet." },
        }
    }
}

/// `/hosts/NAME`: every recorded run this host took part in.
pub fn host_history(name: &str, history: &[(RunRow, HostRow)]) -> Markup {
    let body = html! {
        h1 { "Runs of " (name) }
        @if history.is_empty() {
            p.muted { "No recorded run included " (name) "." }
        } @else {
            table #history {
                thead { tr { th { "Run" } th { "Started" } th { "Plan" } th { "Run outcome" } th { "This host" } th { "Error" } } }
                tbody {
                    @for (run, host) in history {
                        tr {
                            td.num { a href=(run_url(run.id)) { "#" (run.id) } }
                            td.mono { (time::format_utc(run.started_ms)) }
                            td { (run.plan_name) }
                            td { (state(&run.state)) }
                            td { a href=(host_url(run.id, &host.name)) { (state(&host.state)) } }
                            td.mono { (host.error.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    };
    layout(&format!("Runs of {name}"), None, body)
}

pub fn error(status: StatusCode, message: &str) -> Markup {
    let body = html! {
        h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("")) }
        p { (message) }
        p { a href="/" { "all runs" } }
    };
    layout(status.canonical_reason().unwrap_or("error"), None, body)
}

fn state(state: &str) -> Markup {
    html! { span class=(format!("state state-{state}")) { (state) } }
}

fn tally(run: &RunRow) -> Markup {
    html! { (crate::cli::hosts_line(run)) }
}

fn result(event: &EventRow) -> Markup {
    html! {
        @if let Some(code) = event.exit_code { "exit " (code) }
        @if let Some(signal) = &event.signal { "signal " (signal) }
        @if let Some(changed) = event.changed { @if changed { "changed" } @else { "unchanged" } }
        @if let Some(result) = &event.result { (result) }
    }
}

fn took(start: i64, end: Option<i64>) -> String {
    end.map_or("running".to_string(), |end| {
        time::format_duration_ms(end - start)
    })
}

fn run_url(id: i64) -> String {
    format!("/runs/{id}")
}

fn host_url(run: i64, name: &str) -> String {
    format!("/runs/{run}/hosts/{}", encode(name))
}

/// Percent-encodes all but unreserved characters, for a path segment or a
/// query value.
fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_encoded_for_urls() {
        assert_eq!(host_url(3, "web 1/x"), "/runs/3/hosts/web%201%2Fx");
        assert_eq!(encode("secure001"), "secure001");
    }
}

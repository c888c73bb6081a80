//! `planrun serve` in a real headless Chromium: the list shows a run, a
//! click leads to a host's output, plan output is text (never markup), and
//! the page of a running run follows it live.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{planrun, planrun_spawn, record_db, secure, wait_for_lines};
use planrun_tests::{Browser, Fleet, plan_path, planrun_bin};

/// `planrun serve` on a free loopback port; stopped when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(fleet: &Fleet) -> Server {
        let mut child = Command::new(planrun_bin())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("PLANRUN_RECORD_DB", record_db(fleet))
            .stdout(Stdio::piped())
            .spawn()
            .expect("start planrun serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .trim_end_matches('/')
            .to_string();
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn recorded_run(stderr: &str) -> i64 {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("recorded as run "))
        .and_then(|rest| rest.split(':').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no run id in:\n{stderr}"))
}

#[test]
fn the_list_leads_to_a_hosts_output_shown_as_text() {
    let fleet = Fleet::builder().hosts(secure(2)).start().unwrap();
    let out = fleet.dir().join("out");
    let plan = plan_path("scenarios");
    let run = planrun(
        &fleet,
        &[
            plan.to_str().unwrap(),
            "--hosts",
            "secure001-2",
            "-p",
            "scenario=record",
            "-p",
            &format!("dir={}", out.display()),
            "-p",
            "fail=secure002",
        ],
    );
    run.expect_code(1);
    let id = recorded_run(&run.stderr);
    let server = Server::start(&fleet);
    let browser = Browser::start().unwrap();

    // The list shows the run; its link leads to the run's page.
    browser.goto(&format!("{}/", server.url)).unwrap();
    let row = browser
        .text(&browser.find("#runs tbody tr").unwrap())
        .unwrap();
    assert!(row.contains("scenarios") && row.contains("failed"), "{row}");
    browser
        .click(&browser.link(&format!("#{id}")).unwrap())
        .unwrap();
    assert!(
        browser
            .current_url()
            .unwrap()
            .ends_with(&format!("/runs/{id}"))
    );

    // The host grid: one cell per host, in its state's colour.
    let cells = browser.find_all("#hosts a").unwrap();
    assert_eq!(cells.len(), 2);
    let failed = browser.find("#hosts a.state-failed").unwrap();
    assert_eq!(browser.text(&failed).unwrap(), "secure002");

    // A click on the failed host shows its timeline and output, as text.
    browser.click(&failed).unwrap();
    assert!(
        browser
            .current_url()
            .unwrap()
            .ends_with(&format!("/runs/{id}/hosts/secure002"))
    );
    let output = browser.text(&browser.find("#output").unwrap()).unwrap();
    assert!(output.contains("hello from secure002"), "{output}");
    assert!(
        output.contains("<script>document.title='pwned'</script><b>bold?</b>"),
        "the markup shows as text:\n{output}"
    );
    let injected = browser
        .execute("return document.querySelectorAll('#output script, #output b').length")
        .unwrap();
    assert_eq!(injected, 0);
    assert_ne!(browser.title().unwrap(), "pwned");
    let timeline = browser.text(&browser.find("#timeline").unwrap()).unwrap();
    assert!(timeline.contains("exit 3"), "{timeline}");

    // Search by host, and a host's history.
    browser
        .goto(&format!("{}/?host=secure00*&outcome=failed", server.url))
        .unwrap();
    assert_eq!(browser.find_all("#runs tbody tr").unwrap().len(), 1);
    browser
        .goto(&format!("{}/hosts/secure001", server.url))
        .unwrap();
    let history = browser.text(&browser.find("#history").unwrap()).unwrap();
    assert!(
        history.contains(&format!("#{id}")) && history.contains("ok"),
        "{history}"
    );

    // Permalinks: a host's page opens directly; unknown ones are a 404 page.
    browser
        .goto(&format!("{}/runs/{id}/hosts/secure001", server.url))
        .unwrap();
    assert!(browser.title().unwrap().starts_with("secure001 in run"));
    browser
        .goto(&format!("{}/runs/999999", server.url))
        .unwrap();
    assert!(browser.title().unwrap().contains("Not Found"));
}

#[test]
fn a_running_runs_page_follows_it_live() {
    let fleet = Fleet::builder().hosts(secure(2)).start().unwrap();
    // Chromium takes seconds to start: have it ready before the run.
    let server = Server::start(&fleet);
    let browser = Browser::start().unwrap();
    let plan = plan_path("scenarios");
    let (child, lines) = planrun_spawn(
        &fleet,
        &[
            plan.to_str().unwrap(),
            "--hosts",
            "secure001-2",
            "-p",
            "scenario=sleep",
            "-p",
            "secs=8",
        ],
    );
    wait_for_lines(&lines, "SLEEPING", 2, Duration::from_secs(60));
    browser.goto(&format!("{}/", server.url)).unwrap();
    browser
        .click(&browser.find("#runs tbody tr a").unwrap())
        .unwrap();
    let heading = browser.text(&browser.find("h1").unwrap()).unwrap();
    assert!(heading.contains("running"), "{heading}");
    assert_eq!(browser.find_all("#hosts a.state-running").unwrap().len(), 2);

    // The page itself turns to ok when the run ends: nobody reloads it.
    browser
        .wait_until(Duration::from_secs(60), |b| {
            // By script: the live refresh replaces elements under us.
            let heading = b.execute("return document.querySelector('h1').textContent")?;
            Ok(heading.as_str().is_some_and(|h| h.contains(" ok")))
        })
        .unwrap();
    assert_eq!(browser.find_all("#hosts a.state-ok").unwrap().len(), 2);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
}

//! [`Browser`]: Debian's Chromium, headless, driven over WebDriver by the
//! chromedriver it ships, for tests that check what a person would see in
//! `planrun serve`. Plain WebDriver HTTP calls: no browser is downloaded.

use std::io;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// chromedriver and Chromium start slowly on a loaded 2-core machine.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// The key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A headless Chromium session; quits and stops chromedriver when dropped.
pub struct Browser {
    driver: Child,
    agent: ureq::Agent,
    session: String,
    _profile: TempDir,
}

/// An element on the current page.
#[derive(Debug, Clone)]
pub struct Element(String);

fn error(message: impl Into<String>) -> io::Error {
    io::Error::other(message.into())
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a session.
    pub fn start() -> io::Result<Browser> {
        for tool in [CHROMIUM, CHROMEDRIVER] {
            if !Path::new(tool).is_file() {
                return Err(error(format!(
                    "{tool} is missing: install Debian's chromium and chromium-driver \
                     (`cargo xtask test` does, as root)"
                )));
            }
        }
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(START_TIMEOUT))
            .build();
        let profile = tempfile::tempdir()?;
        let mut browser = Browser {
            driver,
            agent: config.into(),
            session: String::new(),
            _profile: profile,
        };
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while browser
            .call("GET", &format!("{base}/status"), None)
            .is_err()
        {
            if started.elapsed() > START_TIMEOUT {
                return Err(error("chromedriver did not answer within 60 s"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = browser._profile.path().display().to_string();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            &format!("--user-data-dir={profile}"),
        ];
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
            }}
        });
        let created = browser.call("POST", &format!("{base}/session"), Some(capabilities))?;
        let id = created["sessionId"]
            .as_str()
            .ok_or_else(|| error(format!("chromedriver gave no session: {created}")))?;
        browser.session = format!("{base}/session/{id}");
        Ok(browser)
    }

    /// Opens `url` and waits for it to load.
    pub fn goto(&self, url: &str) -> io::Result<()> {
        self.command("POST", "/url", json!({ "url": url }))
            .map(drop)
    }

    pub fn current_url(&self) -> io::Result<String> {
        Ok(self
            .command("GET", "/url", Value::Null)?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    pub fn title(&self) -> io::Result<String> {
        Ok(self
            .command("GET", "/title", Value::Null)?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// The first element matching a CSS selector.
    pub fn find(&self, css: &str) -> io::Result<Element> {
        let found = self.command(
            "POST",
            "/element",
            json!({ "using": "css selector", "value": css }),
        )?;
        element(&found).ok_or_else(|| self.missing(&format!("no element matches `{css}`")))
    }

    /// Every element matching a CSS selector.
    pub fn find_all(&self, css: &str) -> io::Result<Vec<Element>> {
        let found = self.command(
            "POST",
            "/elements",
            json!({ "using": "css selector", "value": css }),
        )?;
        Ok(found
            .as_array()
            .map(|a| a.iter().filter_map(element).collect())
            .unwrap_or_default())
    }

    /// The first link whose text is `text`.
    pub fn link(&self, text: &str) -> io::Result<Element> {
        let found = self.command(
            "POST",
            "/element",
            json!({ "using": "link text", "value": text }),
        )?;
        element(&found).ok_or_else(|| self.missing(&format!("no link reads `{text}`")))
    }

    pub fn click(&self, element: &Element) -> io::Result<()> {
        self.command("POST", &format!("/element/{}/click", element.0), json!({}))
            .map(drop)
    }

    /// The element's text as rendered (what a person reads).
    pub fn text(&self, element: &Element) -> io::Result<String> {
        let text = self.command("GET", &format!("/element/{}/text", element.0), Value::Null)?;
        Ok(text.as_str().unwrap_or_default().to_string())
    }

    /// Runs `script` (a function body) in the page and returns its result.
    pub fn execute(&self, script: &str) -> io::Result<Value> {
        self.command(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": [] }),
        )
    }

    /// Polls `check` until it returns true or `within` passes.
    pub fn wait_until(
        &self,
        within: Duration,
        mut check: impl FnMut(&Browser) -> io::Result<bool>,
    ) -> io::Result<()> {
        let started = Instant::now();
        loop {
            if check(self)? {
                return Ok(());
            }
            if started.elapsed() > within {
                return Err(error(format!(
                    "the page did not get there within {within:?}"
                )));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// An error for something not on the page, showing what is.
    fn missing(&self, what: &str) -> io::Error {
        let url = self.current_url().unwrap_or_default();
        let text = self
            .execute("return document.body ? document.body.innerText : ''")
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .unwrap_or_default();
        error(format!("{what} on {url}; the page reads:\n{text}"))
    }

    fn command(&self, method: &str, path: &str, body: Value) -> io::Result<Value> {
        let body = (method == "POST").then_some(body);
        self.call(method, &format!("{}{path}", self.session), body)
    }

    /// One WebDriver call; its `value`, or the error it reports.
    fn call(&self, method: &str, url: &str, body: Option<Value>) -> io::Result<Value> {
        let response = match (method, body) {
            ("POST", Some(body)) => self
                .agent
                .post(url)
                .header("Content-Type", "application/json")
                .send(body.to_string()),
            ("DELETE", _) => self.agent.delete(url).call(),
            _ => self.agent.get(url).call(),
        };
        let mut response = response.map_err(|e| error(format!("{method} {url}: {e}")))?;
        let status = response.status();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| error(format!("{method} {url}: {e}")))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| error(format!("{method} {url}: not JSON ({e}): {text}")))?;
        if !status.is_success() {
            return Err(error(format!(
                "{method} {url}: {status}: {}",
                value["value"]
            )));
        }
        Ok(value["value"].clone())
    }
}

fn element(value: &Value) -> Option<Element> {
    value[ELEMENT].as_str().map(|id| Element(id.to_string()))
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.call("DELETE", &self.session.clone(), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

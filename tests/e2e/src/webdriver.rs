//! A minimal W3C WebDriver client for chromedriver: start the driver, open a
//! headless Chromium session, navigate, run scripts, read the browser's
//! console log and take screenshots.

use base64::Engine as _;
use serde_json::{json, Value};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What went wrong talking to the browser, in words.
pub type Error = String;

/// A chromedriver process with one browser session; both end on drop.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
}

/// The key under which WebDriver passes an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// An element of the page, as WebDriver refers to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element(String);

/// A screen to open a page on: the viewport's size in CSS pixels, and
/// whether it is a touch device (a phone or tablet, emulated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    /// The viewport's width in CSS pixels.
    pub width: u32,
    /// The viewport's height in CSS pixels.
    pub height: u32,
    /// A touch screen with a mobile viewport, or a desktop with a mouse.
    pub touch: bool,
}

impl Screen {
    /// A desktop window whose viewport is `width` × `height`.
    pub const fn desktop(width: u32, height: u32) -> Screen {
        Screen {
            width,
            height,
            touch: false,
        }
    }

    /// A phone or tablet whose viewport is `width` × `height`.
    pub const fn touch(width: u32, height: u32) -> Screen {
        Screen {
            width,
            height,
            touch: true,
        }
    }
}

impl std::fmt::Display for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}", self.width, self.height)?;
        if self.touch {
            write!(f, " (touch)")?;
        }
        Ok(())
    }
}

/// One entry of the browser's console log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// `SEVERE`, `WARNING`, `INFO`…
    pub level: String,
    /// The text Chromium logged.
    pub message: String,
}

impl Browser {
    /// Starts chromedriver (`$CHROMEDRIVER` or `chromedriver` on PATH) and a
    /// headless Chromium of the given window size.
    pub fn start(width: u32, height: u32) -> Result<Browser, Error> {
        Self::launch(width, height, None)
    }

    /// Starts a headless Chromium whose viewport is `screen`: its size in
    /// CSS pixels exactly (the window is resized until `innerWidth` and
    /// `innerHeight` say so), and for a touch screen, Chromium's mobile
    /// emulation (touch events, `pointer: coarse`, a mobile viewport that
    /// honours the page's `<meta name="viewport">`, pixel ratio 1).
    ///
    /// A page without a viewport meta tag is laid out 980 px wide on a
    /// touch screen, so check the size again on the page itself with
    /// [`Browser::viewport`].
    pub fn start_screen(screen: Screen) -> Result<Browser, Error> {
        let mobile = screen.touch.then(|| {
            json!({ "deviceMetrics": {
                "width": screen.width, "height": screen.height,
                "pixelRatio": 1, "touch": true, "mobile": true
            }})
        });
        let browser = Self::launch(screen.width, screen.height, mobile)?;
        if !screen.touch {
            browser.fit_viewport(screen.width, screen.height)?;
        }
        Ok(browser)
    }

    /// Resizes the window so that the viewport (`innerWidth` ×
    /// `innerHeight`) is `width` × `height`: the window's size includes
    /// whatever browser chrome the headless mode draws.
    fn fit_viewport(&self, width: u32, height: u32) -> Result<(), Error> {
        for _ in 0..3 {
            let (inner_w, inner_h) = self.viewport()?;
            if (inner_w, inner_h) == (width, height) {
                return Ok(());
            }
            let rect = self.get(&self.session_path("/window/rect"))?;
            let outer_w = rect["width"].as_i64().unwrap_or(width as i64);
            let outer_h = rect["height"].as_i64().unwrap_or(height as i64);
            self.post(
                &self.session_path("/window/rect"),
                json!({
                    "width": outer_w + width as i64 - inner_w as i64,
                    "height": outer_h + height as i64 - inner_h as i64,
                }),
            )?;
        }
        let (inner_w, inner_h) = self.viewport()?;
        if (inner_w, inner_h) == (width, height) {
            Ok(())
        } else {
            Err(format!(
                "asked for a {width}×{height} viewport, the window gives {inner_w}×{inner_h}"
            ))
        }
    }

    /// The viewport's size in CSS pixels: `innerWidth` × `innerHeight` of
    /// the current browsing context (a frame's, after
    /// [`Browser::switch_to_frame`]).
    pub fn viewport(&self) -> Result<(u32, u32), Error> {
        let value = self.execute("return [window.innerWidth, window.innerHeight]", vec![])?;
        match (value[0].as_u64(), value[1].as_u64()) {
            (Some(w), Some(h)) => Ok((w as u32, h as u32)),
            _ => Err(format!("no viewport size in {value}")),
        }
    }

    /// Starts chromedriver and a headless Chromium of the given window
    /// size, with `mobile` as its `mobileEmulation` option if given.
    fn launch(width: u32, height: u32, mobile: Option<Value>) -> Result<Browser, Error> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let program = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let driver = Command::new(&program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start {program}: {e}"))?;
        let base = format!("http://127.0.0.1:{port}");
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
        };
        browser.wait_for_driver()?;
        let mut chrome = json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-dev-shm-usage",
                "--disable-component-update", "--no-first-run",
                format!("--window-size={width},{height}")
            ]
        });
        if let Some(mobile) = mobile {
            chrome["mobileEmulation"] = mobile;
        }
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:loggingPrefs": { "browser": "ALL" },
                "goog:chromeOptions": chrome
            }}
        });
        let value = browser.post("/session", caps)?;
        browser.session = value["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session id in {value}"))?
            .to_string();
        Ok(browser)
    }

    fn wait_for_driver(&self) -> Result<(), Error> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if ureq::get(&format!("{}/status", self.base)).call().is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err("chromedriver did not answer within 20 s".into())
    }

    fn post(&self, path: &str, body: Value) -> Result<Value, Error> {
        self.call(path, Some(body))
    }

    fn get(&self, path: &str) -> Result<Value, Error> {
        self.call(path, None)
    }

    /// Sends a WebDriver command (a POST with `body`, or a GET) and returns
    /// its `value`.
    fn call(&self, path: &str, body: Option<Value>) -> Result<Value, Error> {
        let url = format!("{}{}", self.base, path);
        let sent = match body {
            Some(body) => ureq::post(&url).send_json(body),
            None => ureq::get(&url).call(),
        };
        let response = match sent {
            Ok(r) => r,
            Err(ureq::Error::Status(code, r)) => {
                let text = r.into_string().unwrap_or_default();
                return Err(format!("WebDriver {path} answered {code}: {text}"));
            }
            Err(e) => return Err(format!("WebDriver {path}: {e}")),
        };
        let value: Value = response
            .into_json()
            .map_err(|e| format!("WebDriver {path}: bad JSON: {e}"))?;
        Ok(value["value"].clone())
    }

    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{}", self.session, rest)
    }

    /// Opens `url` and waits for the page's load event.
    pub fn goto(&self, url: &str) -> Result<(), Error> {
        self.post(&self.session_path("/url"), json!({ "url": url }))
            .map(|_| ())
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page
    /// and returns what it returns.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value, Error> {
        self.post(
            &self.session_path("/execute/sync"),
            json!({ "script": script, "args": args }),
        )
    }

    /// Runs `script` asynchronously: it ends by calling its last argument
    /// (the callback WebDriver appends) with the value to return.
    pub fn execute_async(&self, script: &str, args: Vec<Value>) -> Result<Value, Error> {
        self.post(
            &self.session_path("/execute/async"),
            json!({ "script": script, "args": args }),
        )
    }

    /// How long an asynchronous script may run before WebDriver gives up
    /// on it (chromedriver's default is 30 s).
    pub fn set_script_timeout(&self, timeout: Duration) -> Result<(), Error> {
        self.post(
            &self.session_path("/timeouts"),
            json!({ "script": timeout.as_millis() as u64 }),
        )
        .map(|_| ())
    }

    /// The element `script` returns (a function body, `arguments` holds
    /// `args`), as a WebDriver element reference for [`Browser::click`] or
    /// [`Browser::switch_to_frame`]; `None` when it returns no element.
    pub fn element(&self, script: &str, args: Vec<Value>) -> Result<Option<Element>, Error> {
        let value = self.execute(script, args)?;
        Ok(value
            .get(ELEMENT_KEY)
            .and_then(Value::as_str)
            .map(|id| Element(id.to_string())))
    }

    /// Clicks `element` as WebDriver does: scrolls it into view, and fails
    /// if it is not interactable or another element would get the click.
    pub fn click(&self, element: &Element) -> Result<(), Error> {
        self.post(
            &self.session_path(&format!("/element/{}/click", element.0)),
            json!({}),
        )
        .map(|_| ())
    }

    /// Runs the following scripts, clicks and screenshots' hit tests in
    /// the frame `frame` (an `<iframe>` element of the current context).
    pub fn switch_to_frame(&self, frame: &Element) -> Result<(), Error> {
        self.post(
            &self.session_path("/frame"),
            json!({ "id": { ELEMENT_KEY: frame.0 } }),
        )
        .map(|_| ())
    }

    /// Back to the top-level page after [`Browser::switch_to_frame`].
    pub fn switch_to_top(&self) -> Result<(), Error> {
        self.post(&self.session_path("/frame"), json!({ "id": null }))
            .map(|_| ())
    }

    /// Polls `script` until it returns something truthy or `timeout` passes.
    pub fn wait_for(&self, script: &str, timeout: Duration) -> Result<Value, Error> {
        let deadline = Instant::now() + timeout;
        loop {
            let value = self.execute(script, vec![])?;
            let truthy = !matches!(value, Value::Null | Value::Bool(false))
                && value != json!(0)
                && value != json!("");
            if truthy {
                return Ok(value);
            }
            if Instant::now() > deadline {
                return Err(format!("timed out after {timeout:?} waiting for: {script}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The console messages logged since the last call (chromedriver's log
    /// endpoint empties as it reads).
    pub fn console_log(&self) -> Result<Vec<LogEntry>, Error> {
        let value = self.post(&self.session_path("/se/log"), json!({ "type": "browser" }))?;
        Ok(value
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| LogEntry {
                        level: e["level"].as_str().unwrap_or("").to_string(),
                        message: e["message"].as_str().unwrap_or("").to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Real mouse input through the WebDriver actions API: moves to each
    /// point in turn (viewport coordinates), pressing the left button at
    /// the first and releasing it at the last. One point is a click.
    pub fn mouse_path(&self, points: &[(f64, f64)]) -> Result<(), Error> {
        let Some((first, rest)) = points.split_first() else {
            return Ok(());
        };
        let mut actions = vec![
            json!({ "type": "pointerMove", "duration": 0, "x": first.0.round() as i64, "y": first.1.round() as i64, "origin": "viewport" }),
            json!({ "type": "pointerDown", "button": 0 }),
        ];
        for (x, y) in rest {
            actions.push(json!({ "type": "pointerMove", "duration": 50, "x": x.round() as i64, "y": y.round() as i64, "origin": "viewport" }));
        }
        actions.push(json!({ "type": "pointerUp", "button": 0 }));
        let body = json!({ "actions": [{
            "type": "pointer", "id": "mouse", "parameters": { "pointerType": "mouse" }, "actions": actions
        }]});
        self.post(&self.session_path("/actions"), body)?;
        let _ = ureq::delete(&format!("{}{}", self.base, self.session_path("/actions"))).call();
        Ok(())
    }

    /// Types keys through the WebDriver actions API (real key events).
    /// Each item is a key value: a character, or a WebDriver key code such
    /// as "\u{E003}" (Backspace).
    pub fn keys(&self, keys: &[&str]) -> Result<(), Error> {
        let mut actions = Vec::new();
        for key in keys {
            actions.push(json!({ "type": "keyDown", "value": key }));
            actions.push(json!({ "type": "keyUp", "value": key }));
        }
        let body = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] });
        self.post(&self.session_path("/actions"), body)?;
        Ok(())
    }

    /// Presses keys together, as one chord: each goes down in turn, then
    /// all come up in reverse, e.g. `["\u{E008}", "\u{E004}"]` is Shift
    /// Tab ([`Browser::keys`] presses and releases each key in turn).
    pub fn chord(&self, keys: &[&str]) -> Result<(), Error> {
        let down = keys
            .iter()
            .map(|key| json!({ "type": "keyDown", "value": key }));
        let up = keys
            .iter()
            .rev()
            .map(|key| json!({ "type": "keyUp", "value": key }));
        let actions: Vec<Value> = down.chain(up).collect();
        let body = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] });
        self.post(&self.session_path("/actions"), body)?;
        Ok(())
    }

    /// The centre of the first element matching `selector`, in viewport
    /// coordinates.
    pub fn centre_of(&self, selector: &str) -> Result<(f64, f64), Error> {
        let value = self.execute(
            "const e = document.querySelector(arguments[0]); if (!e) return null; \
             e.scrollIntoView({ block: 'nearest', inline: 'nearest' }); \
             const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2];",
            vec![json!(selector)],
        )?;
        match (value[0].as_f64(), value[1].as_f64()) {
            (Some(x), Some(y)) => Ok((x, y)),
            _ => Err(format!("nothing matches {selector}")),
        }
    }

    /// Clicks the first element matching `selector` from the page's own
    /// script (`element.click()`: no scrolling, no hit test, as a
    /// keyboard or assistive technology would press it); fails the test
    /// when nothing matches.
    pub fn click_first(&self, selector: &str) {
        self.execute(
            "document.querySelector(arguments[0]).click()",
            vec![json!(selector)],
        )
        .unwrap_or_else(|e| panic!("click {selector}: {e}"));
    }

    /// Clicks the first element matching `selector` as a pointer would
    /// (WebDriver's element click: a trusted event, which the clipboard,
    /// say, asks for); fails the test when nothing matches.
    pub fn press(&self, selector: &str) {
        let element = self
            .element(
                "return document.querySelector(arguments[0])",
                vec![json!(selector)],
            )
            .unwrap_or_else(|e| panic!("look for {selector}: {e}"))
            .unwrap_or_else(|| panic!("nothing matches {selector}"));
        self.click(&element)
            .unwrap_or_else(|e| panic!("click {selector}: {e}"));
    }

    /// Replaces the page's clipboard writer with one that keeps what it is
    /// given, so that a test sees what the page copied without a clipboard
    /// (read with [`Browser::copied`]).
    pub fn watch_clipboard(&self) {
        self.execute(
            "window.__copied = []; \
             navigator.clipboard.writeText = t => { window.__copied.push(t); return Promise.resolve(); };",
            vec![],
        )
        .unwrap_or_else(|e| panic!("watch the clipboard: {e}"));
    }

    /// What the page copied, once it has copied one text since
    /// [`Browser::watch_clipboard`], waiting up to `timeout`.
    pub fn copied(&self, timeout: Duration) -> Result<String, Error> {
        let text = self.wait_for(
            "return window.__copied.length === 1 && window.__copied[0]",
            timeout,
        )?;
        Ok(text.as_str().unwrap_or_default().to_string())
    }

    /// Fails the test with the list of errors if the browser's console
    /// logged any (`SEVERE`: exceptions, failed loads, `console.error`).
    pub fn assert_no_console_errors(&self) {
        let errors: Vec<LogEntry> = self
            .console_log()
            .expect("read the browser console")
            .into_iter()
            .filter(|e| e.level == "SEVERE")
            .collect();
        assert!(errors.is_empty(), "console errors: {errors:#?}");
    }

    /// A PNG screenshot of the viewport.
    pub fn screenshot(&self) -> Result<Vec<u8>, Error> {
        let value = self.get(&self.session_path("/screenshot"))?;
        let encoded = value.as_str().ok_or("screenshot: no data")?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|e| format!("screenshot: {e}"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

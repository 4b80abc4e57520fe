//! The page as a person uses it, in real headless Chromium (Debian's
//! `chromium` and `chromium-driver`, driven over WebDriver by fantoccini):
//! it opens on the mock, shows three ready pills, generates a landscape image
//! and shows the 1536x1024 picture after its partial images, shows a typed
//! error, cancels a slow generation (the mock sees the client go), and swaps a
//! backend when its `.wasm` is replaced, while the call in flight finishes on
//! the old one.
//!
//! Without Chromium it fails and says how to install it. To skip it on
//! purpose, build with `VISUAL_HOST_SKIP_BROWSER=1`: cargo then lists it as
//! ignored, with the reason. With `VISUAL_HOST_SCREENSHOTS=DIR` it writes the
//! README's screenshots there (a relative DIR is under `host-test/visualizer`).
//! Unix only: Chromium runs in a process group of its own, killed as one.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use openai_mock::{Fault, MockConfig};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const INSTALL: &str = "apt-get update && apt-get install -y chromium chromium-driver";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    skip_browser,
    ignore = "VISUAL_HOST_SKIP_BROWSER was set at build time: the browser test is skipped on purpose"
)]
async fn a_person_generates_watches_partials_cancels_and_swaps_a_backend_in_chromium() {
    let (chromium, chromedriver) = browser();
    let f = Fixture::with(Setup {
        // Slow enough between events that the partial images are seen arriving.
        mock: MockConfig { stream_pause: Duration::from_millis(500), ..MockConfig::default() },
        ..Setup::default()
    })
    .await;
    let driver = Driver::start(&chromedriver).await;
    let profile = scratch("chromium-profile");
    let c = driver.session(&chromium, &profile).await;
    let shots = Screenshots::new();

    // Open the page with its token: the token leaves the address bar.
    c.goto(&f.server.url_with_token()).await.unwrap();
    until(&c, "the event stream", "return document.querySelector('#conn').dataset.state === 'live'").await;
    assert!(!c.current_url().await.unwrap().as_str().contains("token"), "the token stays in the address bar");

    // Three pills, green or amber, "References 16" on Image Edit.
    let pills = until(
        &c,
        "three ready pills",
        "const pills = [...document.querySelectorAll('#pills .pill')];
         return pills.length === 3 && pills.every(p => ['green', 'amber'].includes(p.dataset.light) && !p.classList.contains('checking'))
           ? pills.map(p => [p.dataset.capability, p.dataset.light, p.textContent]) : null;",
    )
    .await;
    let edit = pills.as_array().unwrap().iter().find(|p| p[0] == "image-edit").unwrap();
    assert!(edit[2].as_str().unwrap().contains("References 16"), "{edit}");
    // The style sheet applied (a Content Security Policy that blocked it would go unnoticed otherwise).
    let styled = c
        .execute("const s = getComputedStyle(document.querySelector('#pills .pill')); return [s.borderTopLeftRadius, s.display];", vec![])
        .await
        .unwrap();
    assert_eq!(styled, json!(["999px", "flex"]));
    // The model lists came from the service, with notes.
    until(
        &c,
        "the model notes",
        "return document.querySelector('.capability .model-note').textContent.includes('verified')",
    )
    .await;

    // Generate a landscape image with two partial images.
    let prompt = "a lighthouse at dusk, oil painting <b>not bold</b>";
    type_into(&c, "#form-generate textarea[name=prompt]", prompt).await;
    click(&c, "#form-generate button[type=submit]").await;
    let first =
        until(&c, "the job", "const j = document.querySelector('#jobs .job'); return j && Number(j.dataset.id);").await;
    let job = format!("#jobs .job[data-id='{first}']");
    // A partial image is on the page while the job is still running.
    until(
        &c,
        "a partial image while running",
        &format!(
            "const j = document.querySelector(\"{job}\"); const p = j && j.querySelector('img.partial');
             return j.dataset.state === 'running' && p && p.complete && p.naturalWidth > 0;"
        ),
    )
    .await;
    let size = until(
        &c,
        "the final picture",
        &format!(
            "const i = document.querySelector(\"{job}[data-state=done] img.result\");
             return i && i.complete && i.naturalWidth > 0 ? [i.naturalWidth, i.naturalHeight] : null;"
        ),
    )
    .await;
    assert_eq!(size, json!([1536, 1024]));
    let shown = c
        .execute(
            &format!(
                "const j = document.querySelector(\"{job}\");
                 const p = j.querySelector('.prompt'); const a = j.querySelector('a.download');
                 return [p.textContent, p.childElementCount, j.querySelector('.described').textContent,
                         j.querySelectorAll('img.partial').length, a.getAttribute('download'), a.href.slice(0, 5)];"
            ),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shown[0], prompt, "the prompt is shown as text");
    assert_eq!(shown[1], 0, "no markup was made from it");
    assert!(shown[2].as_str().unwrap().starts_with("image/png · 1536×1024 · "), "{shown}");
    assert_eq!(shown[3], 2, "{shown}");
    assert!(shown[4].as_str().unwrap().ends_with(".png") && shown[5] == "blob:", "{shown}");
    // Tall enough for the pills, the settings and the whole result with its caption.
    c.set_window_size(1240, 1120).await.unwrap();
    shots.page(&c, "visualizer.png").await;
    // The side panel whole: backends, timeout, the OpenAI settings form (the key masked), the plugins.
    c.set_window_size(1240, 2000).await.unwrap();
    shots.element(&c, ".panel.side", "settings.png").await;
    c.set_window_size(1240, 900).await.unwrap();

    // A typed error shows its kind and message.
    f.mock.push_faults([Fault::OrgNotVerified403]);
    click(&c, "#form-generate button[type=submit]").await;
    let error = until(
        &c,
        "the error",
        "const e = document.querySelector('#jobs .job[data-state=failed] .error');
         return e && [e.querySelector('.kind').textContent, e.querySelector('.message').textContent];",
    )
    .await;
    assert_eq!(error[0], "permission-denied");
    assert!(error[1].as_str().unwrap().contains("verif"), "{error}");

    // Cancel a slow generation: the mock sees the client go.
    let seen = f.mock.requests().len();
    let gone = f.mock.disconnects();
    f.mock.push_faults([Fault::NoFirstByte(Duration::from_secs(60))]);
    type_into(&c, "#form-generate textarea[name=prompt]", "a very slow picture").await;
    click(&c, "#form-generate button[type=submit]").await;
    f.mock_saw(seen + 1).await;
    let slow = until(&c, "the cancel button", "const b = document.querySelector('#jobs .job[data-state=running] .cancel'); return b && Number(b.closest('.job').dataset.id);").await;
    click(&c, &format!("#jobs .job[data-id='{slow}'] .cancel")).await;
    until(
        &c,
        "the cancelled job",
        &format!("return !!document.querySelector(\"#jobs .job[data-id='{slow}'][data-state=cancelled]\")"),
    )
    .await;
    wait_until("the mock to see the client go", || f.mock.disconnects() > gone).await;

    // Swap: replace openai.wasm by the placeholder while a generation runs on it.
    let seen = f.mock.requests().len();
    f.mock.push_faults([Fault::NoFirstByte(Duration::from_secs(3))]);
    type_into(&c, "#form-generate textarea[name=prompt]", "started before the swap").await;
    click(&c, "#form-generate button[type=submit]").await;
    f.mock_saw(seen + 1).await;
    let inflight = until(
        &c,
        "the running job",
        "const j = document.querySelector('#jobs .job[data-state=running]'); return j && Number(j.dataset.id);",
    )
    .await;
    replace(&f.dir.join("openai.wasm"), Path::new(PLACEHOLDER));
    until(
        &c,
        "the page to show the new component",
        "const li = document.querySelector(\"#plugins li[data-file='openai.wasm'] .label\");
         return li && li.textContent.startsWith('Placeholder');",
    )
    .await;
    let finished = until(
        &c,
        "the call in flight to finish on the old component",
        &format!("const j = document.querySelector(\"#jobs .job[data-id='{inflight}'][data-state=done]\"); return j && j.querySelector('.meta').textContent;"),
    )
    .await;
    assert!(finished.as_str().unwrap().contains("gpt-image-2.5-flare"), "{finished}");
    until(
        &c,
        "the choice to follow the new component",
        "return document.querySelector('#form-generate .uses').textContent.includes('placeholder')",
    )
    .await;
    until(
        &c,
        "the pills to settle",
        "return [...document.querySelectorAll('#pills .pill')].every(p => !p.classList.contains('checking'))",
    )
    .await;
    type_into(&c, "#form-generate textarea[name=prompt]", "made after the swap").await;
    click(&c, "#form-generate button[type=submit]").await;
    let after = until(
        &c,
        "a picture from the new component",
        &format!(
            "const j = [...document.querySelectorAll('#jobs .job[data-state=done]')].find(j => Number(j.dataset.id) > {inflight});
             const i = j && j.querySelector('img.result');
             return i && i.complete && i.naturalWidth > 0 ? [j.querySelector('.meta').textContent, i.naturalWidth, i.naturalHeight] : null;"
        ),
    )
    .await;
    assert!(after[0].as_str().unwrap().contains("Placeholder"), "{after}");
    assert_eq!((after[1].as_u64(), after[2].as_u64()), (Some(1536), Some(1024)));

    c.close().await.unwrap();
}

/// Debian's Chromium and its driver, or a failure that says how to install them.
fn browser() -> (PathBuf, PathBuf) {
    let find = |variable: &str, name: &str| {
        if let Some(path) = std::env::var_os(variable) {
            return Some(PathBuf::from(path)).filter(|p| p.is_file());
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
    };
    let chromium = find("VISUAL_HOST_CHROMIUM", "chromium");
    let driver = find("VISUAL_HOST_CHROMEDRIVER", "chromedriver");
    match (chromium, driver) {
        (Some(chromium), Some(driver)) => (chromium, driver),
        _ => panic!(
            "the browser test needs Chromium and its WebDriver (chromium, chromedriver on PATH). Install them with\n\
             \n    {INSTALL}\n\n\
             or build the tests with VISUAL_HOST_SKIP_BROWSER=1 to skip this test on purpose (it is then listed as ignored)."
        ),
    }
}

/// chromedriver in a process group of its own: dropping this kills the group,
/// Chromium included, even when the test panics.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    async fn start(path: &Path) -> Driver {
        let mut child = Command::new(path)
            .arg("--port=0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}; install it with {INSTALL}", path.display()));
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                // "ChromeDriver was started successfully on port 33959."
                if let Some(rest) = line.split("successfully on port ").nth(1) {
                    return rest.trim_end_matches('.').parse::<u16>().unwrap();
                }
            }
            panic!("chromedriver exited before saying its port");
        })
        .await
        .expect("chromedriver started within 30 s");
        // Keep reading, so chromedriver never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Driver { child, url: format!("http://127.0.0.1:{port}") }
    }

    async fn session(&self, chromium: &Path, profile: &Path) -> Client {
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--disable-crash-reporter", "--disable-breakpad",
                    "--force-device-scale-factor=1", "--lang=en-US", "--window-size=1240,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        let capabilities = capabilities.as_object().unwrap().clone().into_iter().collect();
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a WebDriver session with Chromium")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(pid) = self.child.id() {
            // SAFETY: a plain kill(2) of the process group this test started.
            unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
        }
    }
}

/// Polls `script` until it returns something truthy; returns that.
async fn until(c: &Client, what: &str, script: &str) -> Value {
    let started = Instant::now();
    loop {
        let value = c.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{what}: {e}"));
        let truthy = !matches!(&value, Value::Null | Value::Bool(false)) && value != json!(0) && value != json!("");
        if truthy {
            return value;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let page = c.execute("return document.body.innerText", vec![]).await.unwrap_or_default();
            panic!("timed out waiting for {what}; the page reads:\n{}", page.as_str().unwrap_or_default());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn click(c: &Client, selector: &str) {
    c.find(Locator::Css(selector)).await.unwrap_or_else(|e| panic!("{selector}: {e}")).click().await.unwrap();
}

async fn type_into(c: &Client, selector: &str, text: &str) {
    let field = c.find(Locator::Css(selector)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Where screenshots go: `$VISUAL_HOST_SCREENSHOTS` (the README's), else the
/// target's scratch space.
struct Screenshots(PathBuf);

impl Screenshots {
    fn new() -> Screenshots {
        let dir = match std::env::var_os("VISUAL_HOST_SCREENSHOTS").filter(|d| !d.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => scratch("screenshots"),
        };
        std::fs::create_dir_all(&dir).unwrap();
        Screenshots(dir)
    }

    async fn page(&self, c: &Client, name: &str) {
        let png = c.screenshot().await.unwrap();
        self.write(name, png);
    }

    async fn element(&self, c: &Client, selector: &str, name: &str) {
        let png = c.find(Locator::Css(selector)).await.unwrap().screenshot().await.unwrap();
        self.write(name, png);
    }

    fn write(&self, name: &str, png: Vec<u8>) {
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(self.0.join(name), png).unwrap();
    }
}

//! The page as a person uses it, in real headless Chromium (Debian's
//! `chromium` and `chromium-driver`, driven over WebDriver by fantoccini):
//! it opens on the mock, shows three ready pills, generates a landscape image
//! and shows the 1536x1024 picture after its partial images, shows a typed
//! error, cancels a slow generation (the mock sees the client go), and swaps a
//! backend when its `.wasm` is replaced, while the call in flight finishes on
//! the old one. It switches a backend with the mouse and with the keyboard
//! (the model list follows at once, focus or not), keeps a gallery across a
//! reload, shows an SVG whose script never runs (in the page or opened on its
//! own), reaches the prompt from the keyboard, and stacks the work area first
//! in a narrow window.
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
use fantoccini::key::Key;
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
    assert!(edit[2].as_str().unwrap().contains("up to 16 reference images"), "{edit}");
    // The style sheet applied (a Content Security Policy that blocked it would go unnoticed otherwise).
    let styled = c
        .execute("const s = getComputedStyle(document.querySelector('#pills .pill')); return [s.borderTopLeftRadius, s.display];", vec![])
        .await
        .unwrap();
    assert_eq!(styled, json!(["14px", "flex"]));
    // The model lists came from the service, with notes.
    until(
        &c,
        "the model notes",
        "return document.querySelector('.capability .model-note').textContent.includes('verified')",
    )
    .await;
    // Words a new user can read: a pill's code as code (no backticks), each setting in its own units,
    // the saved key said once, the prompt style explained, one "model default" among the tiers.
    let words = js(
        &c,
        "const pill = document.querySelector('#pills .pill[data-capability=text-to-image]');
         const field = n => document.querySelector(`details.backend[data-backend=openai] [name=\"${n}\"]`);
         const help = n => field(n).closest('.field').querySelector('.hint').textContent;
         return { pill: pill.textContent, code: pill.querySelectorAll('.msg code').length,
                  connect: field('connect-timeout').closest('.field').textContent,
                  largest: field('max-response-bytes').placeholder, key: document.querySelector('[data-secret=\"api-key\"]').textContent,
                  style: document.querySelector(\"#plugins li[data-file='openai.wasm']\").textContent,
                  qualities: [...document.querySelectorAll('#form-generate select[name=quality] option')].map(o => o.textContent),
                  help: help('connect-timeout') };",
    )
    .await;
    assert!(!words["pill"].as_str().unwrap().contains('`') && words["code"] == 1, "{words}");
    assert!(words["connect"].as_str().unwrap().contains("(seconds)"), "{words}");
    assert!(!words["help"].as_str().unwrap().contains("milliseconds"), "{words}");
    assert_eq!(words["largest"], "default: 64 MiB (67108864 bytes)");
    assert_eq!(words["key"], "Set (the embedded mock's key): sk-…wxyz. It stays on the server.");
    assert!(
        words["style"]
            .as_str()
            .unwrap()
            .contains("Prompt style: descriptive (write prompts as natural-language sentences)"),
        "{words}"
    );
    let qualities: Vec<&str> = words["qualities"].as_array().unwrap().iter().map(|q| q.as_str().unwrap()).collect();
    assert_eq!(qualities.iter().filter(|q| q.contains("default")).count(), 1, "{qualities:?}");
    assert!(!qualities.contains(&"auto"), "auto once, as the default: {qualities:?}");

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
    assert!(shown[4].as_str().unwrap().ends_with(".png") && shown[5] == "http:", "{shown}");
    // The quality asked (the model's default) and the cost are on the card.
    let card = c
        .execute(&format!("const j = document.querySelector(\"{job}\"); return [j.querySelector('.meta').textContent, j.querySelector('.cost').textContent];"), vec![])
        .await
        .unwrap();
    assert!(card[0].as_str().unwrap().contains("quality auto (model default)"), "{card}");
    assert!(card[1].as_str().unwrap().starts_with("$0.0"), "{card}");
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
         return e && [e.dataset.kind, e.querySelector('.label').textContent, e.querySelector('.message').textContent];",
    )
    .await;
    assert_eq!(error[0], "permission-denied");
    assert_eq!(error[1], "Permission denied:", "a human label, not the case name");
    assert!(error[2].as_str().unwrap().contains("verif"), "{error}");

    // Cancel a slow generation: the mock sees the client go.
    let seen = f.mock.requests().len();
    let gone = f.mock.disconnects();
    f.mock.push_faults([Fault::NoFirstByte(Duration::from_secs(60))]);
    type_into(&c, "#form-generate textarea[name=prompt]", "a very slow picture").await;
    click(&c, "#form-generate button[type=submit]").await;
    f.mock_saw(seen + 1).await;
    let slow = until(&c, "the cancel button", "const b = document.querySelector('#jobs .job[data-state=running] .cancel'); return b && Number(b.closest('.job').dataset.id);").await;
    click(&c, &format!("#jobs .job[data-id='{slow}'] .cancel")).await;
    let cancelled = until(
        &c,
        "the cancelled job",
        &format!("const j = document.querySelector(\"#jobs .job[data-id='{slow}'][data-state=cancelled]\"); return j && j.innerText;"),
    )
    .await;
    let text = cancelled.as_str().unwrap();
    assert_eq!(text.matches("Cancelled").count(), 1, "{text}");
    assert_eq!(text.to_lowercase().matches("cancel").count(), 1, "said once: {text}");
    assert!(text.contains("Cancelled: the call was dropped"), "{text}");
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
    assert!(finished.as_str().unwrap().contains("gpt-image-2.6-flare"), "{finished}");
    until(
        &c,
        "the choice to follow the new component",
        "return document.querySelector('#form-generate .uses').textContent.includes('placeholder')",
    )
    .await;
    // The page says so where the choice is.
    until(
        &c,
        "the notice",
        "const n = document.querySelector(\".capability[data-capability='text-to-image'] .notice\");
         return n && !n.hidden && n.textContent.includes('gpt-image-2.6-flare');",
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

/// A Chromium session on the fixture's page, its event stream live and its pills settled.
struct Page {
    c: Client,
    _driver: Driver,
}

async fn open(f: &Fixture) -> Page {
    let (chromium, chromedriver) = browser();
    let driver = Driver::start(&chromedriver).await;
    let profile = scratch("chromium-profile");
    let c = driver.session(&chromium, &profile).await;
    c.goto(&f.server.url_with_token()).await.unwrap();
    until(&c, "the event stream", "return document.querySelector('#conn').dataset.state === 'live'").await;
    until(
        &c,
        "the pills and the model lists",
        "return [...document.querySelectorAll('#pills .pill')].every(p => !p.classList.contains('checking'))
           && [...document.querySelectorAll('.capability select[name=model]')].every(s => !s.disabled && s.options.length > 0)",
    )
    .await;
    Page { c, _driver: driver }
}

/// Sizes the window so that the page itself (the viewport) is `width` x `height`.
async fn viewport(c: &Client, width: u32, height: u32) {
    // The window includes the browser's own frame: size it, measure the difference, size it again.
    let started = Instant::now();
    let (mut w, mut h) = (width, height);
    loop {
        c.set_window_size(w, h).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let inner = js(c, "return [innerWidth, innerHeight]").await;
        let (iw, ih) = (inner[0].as_u64().unwrap_or(0) as u32, inner[1].as_u64().unwrap_or(0) as u32);
        if (iw, ih) == (width, height) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "the viewport stays {iw}x{ih}, not {width}x{height}");
        (w, h) = ((w + width).saturating_sub(iw), (h + height).saturating_sub(ih));
    }
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{script}: {e}"))
}

const T2I: &str = ".capability[data-capability='text-to-image']";

/// The Text to Image row's backend, its model list's ids, and what the Generate form says it uses.
async fn text_to_image_row(c: &Client) -> Value {
    js(
        c,
        &format!(
            "const row = document.querySelector(\"{T2I}\");
             const models = [...row.querySelector('select[name=model]').options].map(o => o.value);
             return {{ backend: row.querySelector('select[name=backend]').value, models,
                       model: row.querySelector('select[name=model]').value,
                       uses: document.querySelector('#form-generate .uses').textContent,
                       quality: !!document.querySelector('#form-generate [name=quality]'),
                       focus: document.activeElement && document.activeElement.name }};"
        ),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    skip_browser,
    ignore = "VISUAL_HOST_SKIP_BROWSER was set at build time: the browser test is skipped on purpose"
)]
async fn switching_the_backend_redraws_the_model_list_with_the_mouse_and_the_keyboard() {
    let f = Fixture::start().await;
    let page = open(&f).await;
    let c = &page.c;
    let backend = format!("{T2I} select[name=backend]");
    let model = format!("{T2I} select[name=model]");

    // With the mouse: pick the placeholder. The model list, the quality field and the line under
    // Generate follow while the focus is still on the backend list.
    c.find(Locator::Css(&backend)).await.unwrap().select_by_value("placeholder").await.unwrap();
    let row = until(
        c,
        "the placeholder's models",
        &format!(
            "const s = document.querySelector(\"{model}\");
             return !s.disabled && [...s.options].every(o => !o.value.startsWith('gpt-')) && s.options.length > 0"
        ),
    )
    .await;
    assert_eq!(row, json!(true));
    let row = text_to_image_row(c).await;
    assert_eq!(row["backend"], "placeholder", "{row}");
    assert_eq!(row["focus"], "backend", "the focus stayed where it was: {row}");
    assert!(row["uses"].as_str().unwrap().contains("Placeholder"), "{row}");
    assert_eq!(row["quality"], false, "the placeholder has no quality tiers: {row}");
    let note = js(c, &format!("return document.querySelector(\"{T2I} .model-note\").textContent")).await;
    assert!(
        note.as_str().unwrap().ends_with("Models as Placeholder (offline) lists them."),
        "no service, no key: {note}"
    );
    // Picking a model from the list keeps the backend.
    let first = row["models"][0].as_str().unwrap().to_string();
    c.find(Locator::Css(&model)).await.unwrap().select_by_value(&first).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let state = f.state().await;
    assert_eq!(state["capabilities"][0]["backend"], "placeholder", "{}", state["capabilities"][0]);
    assert_eq!(state["capabilities"][0]["model"], first.as_str());

    // With the keyboard: up to OpenAI on the backend list, Tab to the models, down to the next one.
    js(c, &format!("document.querySelector(\"{backend}\").focus()")).await;
    c.active_element().await.unwrap().send_keys(&Key::Up.to_string()).await.unwrap();
    until(
        c,
        "OpenAI's models after the arrow key",
        &format!(
            "const s = document.querySelector(\"{model}\");
             return !s.disabled && [...s.options].some(o => o.value === 'gpt-image-2.6-flare') && s.value === 'gpt-image-2.6-flare'"
        ),
    )
    .await;
    let row = text_to_image_row(c).await;
    assert_eq!((row["backend"].as_str(), row["focus"].as_str()), (Some("openai"), Some("backend")), "{row}");
    assert_eq!(row["quality"], true, "{row}");
    assert!(row["uses"].as_str().unwrap().contains("OpenAI · gpt-image-2.6-flare"), "{row}");
    c.active_element().await.unwrap().send_keys(&Key::Tab.to_string()).await.unwrap();
    assert_eq!(js(c, "return document.activeElement.name").await, "model");
    c.active_element().await.unwrap().send_keys(&Key::Down.to_string()).await.unwrap();
    let next = until(
        c,
        "the next model in the list",
        &format!("const s = document.querySelector(\"{model}\"); return s.value !== 'gpt-image-2.6-flare' && s.value"),
    )
    .await;
    let next = next.as_str().unwrap().to_string();
    assert!(row["models"].as_array().unwrap().iter().any(|m| m == next.as_str()), "one of OpenAI's: {next}");
    let state = f.state_until("the next model", |s| s["capabilities"][0]["model"] == next.as_str()).await;
    assert_eq!(
        state["capabilities"][0]["backend"], "openai",
        "the backend the row shows: {}",
        state["capabilities"][0]
    );

    // A model id the list does not have: "Another model id…" and free text.
    c.find(Locator::Css(&model)).await.unwrap().select_by_value("(another model id)").await.unwrap();
    let other = c.find(Locator::Css(&format!("{T2I} input[name=model-id]"))).await.unwrap();
    other.send_keys(&format!("gpt-image-2.7-nova{}", Key::Enter)).await.unwrap();
    f.state_until("the typed model", |s| s["capabilities"][0]["model"] == "gpt-image-2.7-nova").await;
    let row = until(
        c,
        "the typed model in the list",
        &format!("const s = document.querySelector(\"{model}\"); return s.value === 'gpt-image-2.7-nova' && s.selectedOptions[0].textContent"),
    )
    .await;
    assert!(row.as_str().unwrap().contains("typed in"), "{row}");
    // The day the service ships it, it works.
    f.mock.catalog().add(
        openai_mock::ModelEntry::new("gpt-image-2.7-nova", openai_mock::ModelFamily::Image)
            .with_rules_of("gpt-image-2.6-flare"),
    );
    // Its form takes free text where the backend knows nothing (the quality is a list and free text).
    let free = js(
        c,
        "const q = document.querySelector('#form-generate input[name=quality]'); return q && q.getAttribute('list')",
    )
    .await;
    assert!(free.as_str().is_some(), "{free}");
    type_into(c, "#form-generate textarea[name=prompt]", "made by a model released after this page").await;
    click(c, "#form-generate button[type=submit]").await;
    let meta = until(c, "the new model's picture", "const j = document.querySelector('#jobs .job[data-state=done]'); return j && j.querySelector('.meta').textContent").await;
    assert!(meta.as_str().unwrap().contains("gpt-image-2.7-nova"), "{meta}");
    c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    skip_browser,
    ignore = "VISUAL_HOST_SKIP_BROWSER was set at build time: the browser test is skipped on purpose"
)]
async fn the_gallery_shows_images_newest_first_opens_them_and_survives_a_reload() {
    let f = Fixture::start().await;
    let page = open(&f).await;
    let c = &page.c;
    let shots = Screenshots::new();
    viewport(c, 1400, 1000).await;
    assert_eq!(js(c, "return document.querySelectorAll('#gallery li').length").await, 0);
    assert!(js(c, "return document.querySelector('#gallery-cap').textContent")
        .await
        .as_str()
        .unwrap()
        .contains("newest 200 images"));

    // Three pictures, one from the page and two through the API (another client of the same server).
    type_into(c, "#form-generate textarea[name=prompt]", "a lighthouse at dusk, oil painting").await;
    click(c, "#form-generate button[type=submit]").await;
    until(c, "the first picture", "return document.querySelectorAll('#gallery li').length === 1").await;
    f.post(
        "/api/generate?wait=1",
        json!({"prompt": "a harbour at dawn, watercolour", "format": "square", "quality": "low"}),
    )
    .await
    .ok();
    f.post(
        "/api/generate?wait=1",
        json!({"prompt": "a storm over the cliffs", "format": "portrait", "quality": "high"}),
    )
    .await
    .ok();
    let tiles = until(
        c,
        "three pictures, newest first, loaded",
        "const li = [...document.querySelectorAll('#gallery li')];
         return li.length === 3 && li.every(l => l.querySelector('img').complete && l.querySelector('img').naturalWidth > 0)
           ? li.map(l => [Number(l.dataset.id), l.getBoundingClientRect().top, l.querySelector('img').getAttribute('src')]) : null;",
    )
    .await;
    let tiles = tiles.as_array().unwrap();
    let ids: Vec<u64> = tiles.iter().map(|t| t[0].as_u64().unwrap()).collect();
    assert_eq!(ids, [3, 2, 1], "newest first");
    assert_eq!(tiles[0][1], tiles[2][1], "several to a row: {tiles:?}");
    assert!(tiles.iter().all(|t| t[2].as_str().unwrap().starts_with("/images/")), "loaded by URL: {tiles:?}");
    // The cost so far is on the page.
    let total = f.state().await["cost_total"]["usd"].as_f64().unwrap();
    assert!(total > 0.0);
    until(
        c,
        "the cost so far",
        &format!("return document.querySelector('#spent').textContent === 'Spent since start: ${total:.4}'"),
    )
    .await;

    // Each opens full size with what made it.
    shots.page(c, "visualizer-1400x1000.png").await;
    shots.element(c, ".gallery-section", "gallery.png").await;
    click(c, "#gallery li[data-id='2'] .tile").await;
    let shown = until(
        c,
        "the viewer",
        "const d = document.querySelector('#viewer'); const i = d.querySelector('#viewer-image');
         const f = n => d.querySelector(`dd[data-field=\"${n}\"]`).textContent;
         return d.open && i.complete && i.naturalWidth > 0
           ? { w: i.naturalWidth, h: i.naturalHeight, prompt: f('prompt'), model: f('model'), quality: f('quality'),
               size: f('size'), made: f('made'), cost: f('cost'), open: d.querySelector('#viewer-open').getAttribute('href') } : null;",
    )
    .await;
    assert_eq!((shown["w"].as_u64(), shown["h"].as_u64()), (Some(1024), Some(1024)), "{shown}");
    assert_eq!(shown["prompt"], "a harbour at dawn, watercolour");
    assert!(shown["model"].as_str().unwrap().starts_with("gpt-image-2.6-flare"), "{shown}");
    assert_eq!(shown["quality"], "low");
    assert!(shown["size"].as_str().unwrap().starts_with("1024×1024 px"), "{shown}");
    assert!(shown["made"].as_str().unwrap().contains("took"), "{shown}");
    assert!(shown["cost"].as_str().unwrap().starts_with("$0.0"), "{shown}");
    assert!(shown["open"].as_str().unwrap().starts_with("/images/"), "{shown}");
    shots.page(c, "viewer.png").await;
    // The arrow keys step through the gallery; Escape closes.
    c.active_element().await.unwrap().send_keys(&Key::Right.to_string()).await.unwrap();
    until(
        c,
        "the older picture",
        "return document.querySelector('dd[data-field=prompt]').textContent.startsWith('a lighthouse')",
    )
    .await;
    c.active_element().await.unwrap().send_keys(&Key::Escape.to_string()).await.unwrap();
    until(c, "the viewer to close", "return !document.querySelector('#viewer').open").await;

    // A reload keeps them (they live on the server).
    c.refresh().await.unwrap();
    until(c, "the gallery after a reload", "return document.querySelectorAll('#gallery li').length === 3").await;

    // A narrow window: the work area first, the prompt in view.
    viewport(c, 800, 600).await;
    let layout = until(
        c,
        "the narrow layout",
        "const w = document.querySelector('.panel.work').getBoundingClientRect();
         const s = document.querySelector('.panel.side').getBoundingClientRect();
         const p = document.querySelector('#form-generate textarea').getBoundingClientRect();
         return innerWidth <= 800 ? { work: w.top, side: s.top, prompt: p.top, promptBottom: p.bottom, height: innerHeight, width: w.width } : null;",
    )
    .await;
    assert!(layout["work"].as_f64() < layout["side"].as_f64(), "the work area comes first: {layout}");
    assert!(
        layout["promptBottom"].as_f64().unwrap() < layout["height"].as_f64().unwrap(),
        "the prompt is in view: {layout}"
    );
    shots.page(c, "visualizer-800x600.png").await;

    // Cleared: a second press within a few seconds.
    viewport(c, 1400, 1000).await;
    click(c, "#clear-gallery").await;
    assert!(js(c, "return document.querySelector('#clear-gallery').textContent")
        .await
        .as_str()
        .unwrap()
        .contains("Press again"));
    assert_eq!(js(c, "return document.querySelectorAll('#gallery li').length").await, 3, "one press clears nothing");
    click(c, "#clear-gallery").await;
    until(c, "the empty gallery", "return document.querySelectorAll('#gallery li').length === 0 && !document.querySelector('#gallery-empty').hidden").await;
    assert_eq!(f.get("/api/gallery").await.ok()["count"], 0);

    // An edit from the page: a reference and 2.6's markup (an image option, a file); its card shows both.
    let files = scratch("uploads");
    let (reference, markup) = (files.join("photo.png"), files.join("markup.png"));
    std::fs::write(&reference, openai_mock::noise_png(64, 48)).unwrap();
    std::fs::write(&markup, transparent_png(64, 48)).unwrap();
    click(c, "#tab-edit").await;
    until(c, "the edit options", "return !!document.querySelector('#form-edit details.options input[name=\"option:markup\"][accept=\"image/png\"]')").await;
    click(c, "#form-edit details.options summary").await;
    type_into(c, "#form-edit textarea[name=prompt]", "circle the lighthouse").await;
    c.find(Locator::Css("#form-edit input[name=image]"))
        .await
        .unwrap()
        .send_keys(&reference.display().to_string())
        .await
        .unwrap();
    c.find(Locator::Css("#form-edit input[name='option:markup']"))
        .await
        .unwrap()
        .send_keys(&markup.display().to_string())
        .await
        .unwrap();
    click(c, "#form-edit button[type=submit]").await;
    let inputs = until(
        c,
        "the edit's card with what went in",
        "const j = document.querySelector('#jobs .job[data-state=done]'); const i = j && [...j.querySelectorAll('.inputs figure')];
         return i && i.length === 2 && i.every(f => f.querySelector('img') && f.querySelector('img').complete && f.querySelector('img').naturalWidth > 0)
           ? [i.map(f => f.dataset.role), j.querySelector('.meta').textContent] : null;",
    )
    .await;
    assert_eq!(inputs[0], json!(["reference", "markup"]));
    assert!(inputs[1].as_str().unwrap().contains("markup: PNG 64×48"), "{inputs}");
    let sent = f.mock.requests().into_iter().find(|r| r.path.ends_with("/images/edits")).expect("the edit");
    assert!(sent.parts_named("markup").next().is_some(), "markup went as a file");
    until(c, "the edit in the gallery", "return document.querySelectorAll('#gallery li').length === 1").await;
    // Results can be cleared; the gallery keeps its images.
    click(c, "#clear-jobs").await;
    until(
        c,
        "no results",
        "return document.querySelectorAll('#jobs .job').length === 0 && !document.querySelector('#jobs-empty').hidden",
    )
    .await;
    assert_eq!(js(c, "return document.querySelectorAll('#gallery li').length").await, 1);
    c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    skip_browser,
    ignore = "VISUAL_HOST_SKIP_BROWSER was set at build time: the browser test is skipped on purpose"
)]
async fn an_svg_with_a_script_runs_nothing_on_the_page_or_opened_on_its_own() {
    let f = Fixture::start().await;
    let page = open(&f).await;
    let c = &page.c;
    let marker = format!("http://{}/pwned-marker", f.mock.addr());
    let title = c.title().await.unwrap();

    // Ask for an SVG from the page; the service answers with one that carries a script.
    f.mock.push_faults([svg_answer(&hostile_svg(&marker))]);
    c.find(Locator::Css("#form-generate select[name=output_format]"))
        .await
        .unwrap()
        .select_by_value("svg")
        .await
        .unwrap();
    assert_eq!(
        js(c, "return document.querySelector('#form-generate select[name=partial_images]').disabled").await,
        true,
        "an SVG arrives whole"
    );
    type_into(c, "#form-generate textarea[name=prompt]", "a logo").await;
    click(c, "#form-generate button[type=submit]").await;
    let shown = until(
        c,
        "the SVG on its card and in the gallery",
        "const i = document.querySelector('#jobs .job[data-state=done] img.result'); const g = document.querySelector('#gallery li img');
         return i && g && i.complete && i.naturalWidth > 0 && g.complete && g.naturalWidth > 0 ? [i.getAttribute('src'), i.naturalWidth, g.getAttribute('src')] : null;",
    )
    .await;
    let url = shown[0].as_str().unwrap().to_string();
    assert!(url.starts_with("/images/") && url.ends_with(".svg"), "by URL, never inlined: {shown}");
    assert_eq!(shown[1], 640);
    assert_eq!(shown[2].as_str(), Some(url.as_str()));
    click(c, "#gallery li .tile").await;
    until(c, "the viewer", "const i = document.querySelector('#viewer-image'); return document.querySelector('#viewer').open && i.complete && i.naturalWidth > 0").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let page_state = js(
        c,
        "return { title: document.title, svgs: document.querySelectorAll('svg').length, pwned: !!document.querySelector('[data-pwned]'),
                  data: [...document.querySelectorAll('img')].filter(i => (i.getAttribute('src') || '').startsWith('data:')).length };",
    )
    .await;
    assert_eq!(page_state, json!({"title": title, "svgs": 0, "pwned": false, "data": 0}));

    // Opened on its own: shown, under a sandbox where its script does not run.
    c.goto(&format!("{}{url}", f.base)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let alone = js(
        c,
        "return { root: document.documentElement.localName, pwned: document.documentElement.getAttribute('data-pwned'), title: document.title };",
    )
    .await;
    assert_eq!(alone["root"], "svg", "{alone}");
    assert!(alone["pwned"].is_null(), "{alone}");
    assert!(!alone["title"].as_str().unwrap_or_default().contains("pwned"), "{alone}");
    assert!(!c.title().await.unwrap().contains("pwned"));
    let asked: Vec<String> = f.mock.requests().iter().map(|r| r.path.clone()).filter(|p| p.contains("pwned")).collect();
    assert!(asked.is_empty(), "the script reached out: {asked:?}");
    c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    skip_browser,
    ignore = "VISUAL_HOST_SKIP_BROWSER was set at build time: the browser test is skipped on purpose"
)]
async fn the_keyboard_reaches_the_prompt_at_once_moves_tabs_and_sends_with_ctrl_enter() {
    let f = Fixture::start().await;
    let page = open(&f).await;
    let c = &page.c;
    viewport(c, 1400, 1000).await;

    // Few tab stops before the prompt: the status check, the tab strip (one stop).
    let before = js(
        c,
        "const prompt = document.querySelector('#form-generate textarea');
         const all = [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
           .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0);
         return all.slice(0, all.indexOf(prompt)).map(e => e.textContent.trim() || e.name || e.localName);",
    )
    .await;
    assert!(before.as_array().unwrap().len() <= 2, "tab stops before the prompt: {before}");
    js(c, "document.querySelector('#tab-generate').focus()").await;
    c.active_element().await.unwrap().send_keys(&Key::Tab.to_string()).await.unwrap();
    assert_eq!(
        js(c, "return document.activeElement.name").await,
        "prompt",
        "Tab from the tab strip goes to the prompt"
    );

    // The arrow keys, Home and End move along the tab strip.
    js(c, "document.querySelector('#tab-generate').focus()").await;
    for (key, tab) in [
        (Key::Right, "edit"),
        (Key::Right, "analyze"),
        (Key::Right, "generate"),
        (Key::End, "analyze"),
        (Key::Home, "generate"),
        (Key::Left, "analyze"),
    ] {
        c.active_element().await.unwrap().send_keys(&key.to_string()).await.unwrap();
        let now = js(
            c,
            "const t = document.activeElement; const f = [...document.querySelectorAll('.job-form')].find(f => !f.hidden);
             return [t.dataset.tab, t.getAttribute('aria-selected'), t.tabIndex, f.dataset.tab];",
        )
        .await;
        assert_eq!(now, json!([tab, "true", 0, tab]), "{key:?}");
    }
    c.active_element().await.unwrap().send_keys(&Key::Home.to_string()).await.unwrap();

    // Ctrl+Enter sends; the focus stays in the prompt.
    type_into(c, "#form-generate textarea[name=prompt]", "sent from the keyboard").await;
    c.active_element().await.unwrap().send_keys(&(Key::Control + &Key::Enter.to_string())).await.unwrap();
    until(c, "the job from Ctrl+Enter", "return document.querySelectorAll('#jobs .job').length === 1").await;
    assert_eq!(js(c, "return document.activeElement.name").await, "prompt");
    // The button keeps the focus while it sends (it is never disabled under the user).
    click(c, "#form-generate button[type=submit]").await;
    until(c, "the second job", "return document.querySelectorAll('#jobs .job').length === 2").await;
    assert_eq!(js(c, "return document.activeElement.textContent").await, "Generate");

    // A prompt longer than the model takes: counted, refused before anything is sent, and said.
    let most = f.model("text-to-image", "gpt-image-2.6-flare").await["max_prompt_chars"].as_u64().unwrap();
    js(c, &format!("const t = document.querySelector('#form-generate textarea'); t.value = 'y'.repeat({}); t.dispatchEvent(new Event('input', {{bubbles: true}}));", most + 5)).await;
    let counter = js(
        c,
        "const n = document.querySelector('#count-generate'); return [n.textContent, n.classList.contains('over')]",
    )
    .await;
    assert!(counter[0].as_str().unwrap().contains("5 too many") && counter[1] == true, "{counter}");
    let jobs = f.get("/api/jobs").await.ok().as_array().unwrap().len();
    click(c, "#form-generate button[type=submit]").await;
    let error =
        until(c, "the refusal", "const e = document.querySelector('#form-error'); return !e.hidden && e.textContent")
            .await;
    assert!(error.as_str().unwrap().starts_with("Invalid input: The prompt is"), "{error}");
    assert_eq!(f.get("/api/jobs").await.ok().as_array().unwrap().len(), jobs, "nothing was sent");

    // An explicit size: checked against the model's rule before it is sent, then made.
    js(c, "const t = document.querySelector('#form-generate textarea'); t.value = 'a wide sea'; t.dispatchEvent(new Event('input', {bubbles: true}));").await;
    click(c, "#form-generate input[name=format][value=custom]").await;
    let width = c.find(Locator::Css("#form-generate input[name=width]")).await.unwrap();
    let height = c.find(Locator::Css("#form-generate input[name=height]")).await.unwrap();
    width.send_keys(&format!("{}{}1000", Key::Control + "a", Key::Null)).await.unwrap();
    let said = until(
        c,
        "the size rule",
        "const e = document.querySelector('#form-generate .size-error'); return !e.hidden && e.textContent",
    )
    .await;
    assert_eq!(said, "1000×1024: both sides must be multiples of 16.");
    let jobs = f.get("/api/jobs").await.ok().as_array().unwrap().len();
    click(c, "#form-generate button[type=submit]").await;
    until(
        c,
        "the refusal",
        "return document.querySelector('#form-error').textContent.startsWith('Invalid input: 1000×1024')",
    )
    .await;
    assert_eq!(f.get("/api/jobs").await.ok().as_array().unwrap().len(), jobs, "nothing was sent");
    width.send_keys(&format!("{}{}1280", Key::Control + "a", Key::Null)).await.unwrap();
    height.send_keys(&format!("{}{}720", Key::Control + "a", Key::Null)).await.unwrap();
    click(c, "#form-generate button[type=submit]").await;
    let made = until(
        c,
        "the 1280×720 picture",
        "const j = [...document.querySelectorAll('#jobs .job[data-state=done]')].find(j => j.querySelector('.prompt').textContent === 'a wide sea');
         const i = j && j.querySelector('img.result');
         return i && i.complete && i.naturalWidth > 0 ? [i.naturalWidth, i.naturalHeight, j.querySelector('.meta').textContent] : null;",
    )
    .await;
    assert_eq!((made[0].as_u64(), made[1].as_u64()), (Some(1280), Some(720)));
    assert!(made[2].as_str().unwrap().contains("1280×720"), "{made}");

    // A long prompt takes a few lines on its card, and opens on request.
    let long = "a lighthouse on a cliff, ".repeat(200);
    f.post("/api/generate?wait=1", json!({"prompt": long})).await.ok();
    let card = until(
        c,
        "the long prompt's card",
        "const j = [...document.querySelectorAll('#jobs .job[data-state=done]')].find(j => j.querySelector('.prompt').textContent.length > 4000);
         return j && [j.querySelector('.prompt').getBoundingClientRect().height, j.getBoundingClientRect().height];",
    )
    .await;
    assert!(card[0].as_f64().unwrap() < 80.0 && card[1].as_f64().unwrap() < 400.0, "{card}");
    click(c, "#jobs .job .prompt + button.more").await;
    let open = js(c, "return document.querySelector('#jobs .job .prompt.open').getBoundingClientRect().height").await;
    assert!(open.as_f64().unwrap() > card[0].as_f64().unwrap(), "{open}");

    // A value out of range is refused with its range, not changed.
    js(c, "document.querySelector('#tab-generate').click()").await;
    let number = c.find(Locator::Css("#timeout-number")).await.unwrap();
    // Select what is there and type over it, as a person does.
    number.send_keys(&format!("{}{}1.5{}", Key::Control + "a", Key::Null, Key::Tab)).await.unwrap();
    f.state_until("the timeout", |s| s["timeout_secs"] == 1.5).await;
    number.send_keys(&format!("{}{}0.2{}", Key::Control + "a", Key::Null, Key::Tab)).await.unwrap();
    let said =
        until(c, "the range", "const e = document.querySelector('#timeout-error'); return !e.hidden && e.textContent")
            .await;
    assert_eq!(said, "The generation timeout is from 1 to 3600 seconds, not 0.2.");
    assert_eq!(f.state().await["timeout_secs"], 1.5);
    c.refresh().await.unwrap();
    until(c, "the timeout as given", "return document.querySelector('#timeout-number').value === '1.5'").await;
    c.clone().close().await.unwrap();
}

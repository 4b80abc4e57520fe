//! `visual-host --mock serve` as a newcomer runs it: it fills the default
//! plugins folder with the backends beside the binary, prints the URL to
//! open, serves the API with that URL's token, and stops cleanly on Ctrl-C;
//! an empty folder gets a sentence saying how to add a backend. (The server
//! itself is tested in `host-test/visualizer`.) Unix only: Ctrl-C is sent
//! as SIGINT (on Windows the server listens for the console's Ctrl-C, which a
//! test cannot send to one child alone).
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const HOST: &str = env!("CARGO_BIN_EXE_visual-host");

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `visual-host ARGS` with its user folders under `home`.
fn start(home: &Path, args: &[&str]) -> Child {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    Command::new(HOST)
        .args(args)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("VISUAL_HOST_CACHE_DIR", tmp.join("serve-component-cache"))
        .env("VISUAL_HOST_KEY_FILE", tmp.join("serve-component-cache.key"))
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running visual-host")
}

/// The URL the server prints on stdout.
fn url(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("http://127.0.0.1:") && line.contains("/?token="), "printed {line:?}");
    line.trim().to_string()
}

/// `GET path` with the token, over a plain socket; the body.
fn get(url: &str, path: &str) -> (String, String) {
    let (origin, token) = url.split_once("/?token=").unwrap();
    let addr = origin.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}

/// Ctrl-C, then what it wrote on stderr; it must stop by itself, with 0.
fn stop(mut child: Child) -> String {
    // SAFETY: a plain kill(2) of the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    for _ in 0..200 {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            let mut stderr = String::new();
            child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
            return stderr;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    panic!("visual-host serve did not stop within 10 s of Ctrl-C");
}

#[test]
fn serve_on_the_mock_fills_the_default_folder_and_prints_the_url_to_open() {
    let home = scratch("default");
    let mut child = start(&home, &["--mock", "--today", "2026-12-02", "serve", "--port", "0"]);
    let url = url(&mut child);
    let (status, page) = get(&url, "/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(page.contains("Visualizer"));
    let (status, state) = get(&url, "/api/state");
    assert_eq!(status, "HTTP/1.1 200 OK", "{state}");
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    let folder = home.join("data").join("visual-host").join("plugins");
    assert_eq!(state["plugins_dir"], folder.display().to_string());
    let files: Vec<&str> =
        state["plugins"].as_array().unwrap().iter().map(|p| p["file_name"].as_str().unwrap()).collect();
    assert_eq!(files, ["openai_visual_backend.wasm", "placeholder_backend.wasm"]);
    assert!(state["mock"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    assert_eq!(state["settings"]["openai_visual_backend"]["secrets"]["api-key"]["source"], "mock");
    let stderr = stop(child);
    assert!(
        stderr.contains("copied the openai_visual_backend.wasm and placeholder_backend.wasm beside visual-host"),
        "{stderr}"
    );
    assert!(stderr.contains("OpenAI") && stderr.contains("Open this URL"), "{stderr}");
}

#[test]
fn an_empty_folder_says_how_to_add_a_backend() {
    let home = scratch("empty");
    let folder = home.join("plugins");
    let mut child = start(&home, &["serve", "--port", "0", "--plugins", folder.to_str().unwrap()]);
    let url = url(&mut child);
    let (_, state) = get(&url, "/api/state");
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert!(state["plugins"].as_array().unwrap().is_empty(), "an explicit folder is served as it is");
    let stderr = stop(child);
    assert!(stderr.contains("no backends in") && stderr.contains("Copy a backend component (.wasm) there"), "{stderr}");
}

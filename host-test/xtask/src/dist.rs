//! `cargo xtask dist`: a release in one folder, `target/dist/`:
//!
//! - `openai_visual_backend.wasm`, `placeholder_backend.wasm`: the components;
//! - `talemate-visual-X.Y.Z.wit.wasm`: the contract as a binary WIT package;
//! - `visual-host-VERSION-TARGET.tar.gz`: `visual-host-VERSION-TARGET/` with
//!   the binary, the components beside it, `README.md` and `LICENSE`; on
//!   Linux the binary is linked against glibc 2.28 (`cargo zigbuild`), so it
//!   runs wherever the wheel does;
//! - `talemate_visual-VERSION-cp39-abi3-PLATFORM.whl`: the Python wheel, on
//!   Linux a `manylinux_2_28` one (built against glibc 2.28 with maturin's
//!   `--zig`; `auditwheel show` confirms the tag);
//! - `SHA256SUMS`, for `sha256sum -c SHA256SUMS`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{bail, ensure, Context};
use sha2::{Digest, Sha256};

/// The components the archive carries beside the binary (the build puts them
/// beside it too: see `host-test/guests/build.rs`).
const COMPONENTS: [&str; 2] = ["openai_visual_backend.wasm", "placeholder_backend.wasm"];

/// The oldest glibc the Linux binary and wheel may need: 2.28 (Debian 10 and
/// 11, Ubuntu 20.04, RHEL 8 have it or newer).
const GLIBC_MINOR: u32 = 28;
const MANYLINUX: &str = "manylinux_2_28";

pub struct Options {
    profile: String,
    target: Option<String>,
    wheel: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> anyhow::Result<Self> {
        let mut options = Options { profile: "release".into(), target: None, wheel: true };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = || args.next().cloned().with_context(|| format!("{arg} takes a value"));
            match arg.as_str() {
                "--profile" => options.profile = value()?,
                "--target" => options.target = Some(value()?),
                "--no-wheel" => options.wheel = false,
                other => bail!("dist: unknown argument {other:?} (see `cargo xtask help`)"),
            }
        }
        Ok(options)
    }
}

/// The folder cargo puts a profile's output in.
fn profile_dir(profile: &str) -> &str {
    match profile {
        "dev" | "test" => "debug",
        "bench" => "release",
        other => other,
    }
}

/// The Rust target this machine builds for by default.
fn host_target() -> anyhow::Result<String> {
    let output = Command::new("rustc").arg("-vV").output().context("running rustc -vV")?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines().find_map(|l| l.strip_prefix("host: ")).map(str::to_string).context("rustc -vV names no host")
}

pub fn dist(options: &Options) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let root = crate::workspace::root();
    let version = crate::versions::product(&root)?;
    let wrong = crate::versions::disagreements(&root)?;
    ensure!(wrong.is_empty(), "the versions disagree:\n  {}", wrong.join("\n  "));
    let host = host_target()?;
    let target = options.target.clone().unwrap_or_else(|| host.clone());
    let out = crate::workspace::target_dir().join("dist");
    if out.exists() {
        std::fs::remove_dir_all(&out).with_context(|| format!("emptying {}", out.display()))?;
    }
    std::fs::create_dir_all(&out)?;
    eprintln!("xtask dist: {version} for {target}, profile {}, into {}", options.profile, out.display());

    // The binary; the guests' build script builds the components and puts
    // them beside it. On Linux it is linked by zig against glibc 2.28's
    // symbols (cargo-zigbuild, from the tools venv), as the wheel is: built
    // with the build machine's own linker it would need the machine's glibc.
    let step = Instant::now();
    let glibc = target.ends_with("-linux-gnu");
    let tools = if glibc || options.wheel { Some(tools(&root)?) } else { None };
    let mut build = crate::workspace::cargo();
    if glibc {
        let tools = tools.as_ref().expect("made for the Linux binary");
        build.args(["zigbuild", "--target", &format!("{target}.2.{GLIBC_MINOR}")]).env("PATH", tools.path()?);
    } else {
        build.arg("build");
        if let Some(target) = &options.target {
            build.args(["--target", target]);
        }
    }
    build.args(["--locked", "-p", "visual-host-cli", "--profile", &options.profile]);
    crate::workspace::run(&mut build, "building visual-host")?;
    let mut bin_dir = crate::workspace::target_dir();
    if glibc || options.target.is_some() {
        bin_dir.push(&target);
    }
    bin_dir.push(profile_dir(&options.profile));
    let exe = if target.contains("windows") { "visual-host.exe" } else { "visual-host" };
    let binary = bin_dir.join(exe);
    eprintln!("xtask dist: built {} in {} s", binary.display(), step.elapsed().as_secs());

    for name in COMPONENTS {
        std::fs::copy(bin_dir.join(name), out.join(name)).with_context(|| format!("copying {name}"))?;
    }
    if glibc {
        let needed = glibc_needed(&std::fs::read(&binary)?);
        let said = needed.map_or("no glibc version".into(), |minor| format!("glibc 2.{minor}"));
        ensure!(
            needed.is_some_and(|minor| minor <= GLIBC_MINOR),
            "{} asks for {said}, not 2.{GLIBC_MINOR} or older",
            binary.display()
        );
        eprintln!("xtask dist: the binary needs {said} or later");
    }
    if target == host {
        check_binary(&binary, &bin_dir, &version)?;
    }

    let wit_dir = crate::wit::newest_dir(&root.join("wit"))?;
    let (wit_file, wit_bytes) = crate::wit::encode(&wit_dir)?;
    std::fs::write(out.join(&wit_file), wit_bytes)?;
    eprintln!("xtask dist: {wit_file} from {}", wit_dir.display());

    let name = format!("visual-host-{version}-{target}");
    let mut files: Vec<(PathBuf, &str, u32)> = vec![(binary, exe, 0o755)];
    files.extend(COMPONENTS.map(|c| (bin_dir.join(c), c, 0o644)));
    files.extend([(root.join("README.md"), "README.md", 0o644), (root.join("LICENSE"), "LICENSE", 0o644)]);
    archive(&out.join(format!("{name}.tar.gz")), &name, &files)?;
    eprintln!("xtask dist: {name}.tar.gz");

    if options.wheel {
        let step = Instant::now();
        let tools = tools.as_ref().expect("made for the wheel");
        let wheel = wheel(&root, tools, &out, options, &target, &version)?;
        eprintln!("xtask dist: {wheel} in {} s", step.elapsed().as_secs());
    } else {
        eprintln!("xtask dist: --no-wheel: no Python wheel");
    }

    let sums = sha256sums(&out)?;
    std::fs::write(out.join("SHA256SUMS"), &sums)?;
    eprint!("xtask dist: done in {} s; {}:\n{sums}", started.elapsed().as_secs(), out.display());
    Ok(ExitCode::SUCCESS)
}

/// The binary says the product version, and so do both components through it.
fn check_binary(binary: &Path, bin_dir: &Path, version: &str) -> anyhow::Result<()> {
    let said = Command::new(binary).arg("--version").output().context("running visual-host --version")?;
    let said = String::from_utf8_lossy(&said.stdout);
    ensure!(said.trim() == format!("visual-host {version}"), "visual-host --version says {said:?}, not {version}");
    for name in COMPONENTS {
        let output = Command::new(binary)
            .args(["--no-cache", "--json", "--component"])
            .arg(bin_dir.join(name))
            .arg("info")
            .output()
            .context("running visual-host info")?;
        let text = String::from_utf8_lossy(&output.stdout);
        ensure!(
            output.status.success() && text.contains(&format!("\"version\":\"{version}\"")),
            "{name}: info does not say version {version}: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// A `.tar.gz` holding `files` (path, name, mode) in the folder `folder`, each
/// with its own modification time (so unpacking a newer release refreshes a
/// plugins folder: `visual-host serve` copies what is newer).
fn archive(path: &Path, folder: &str, files: &[(PathBuf, &str, u32)]) -> anyhow::Result<()> {
    let gz = flate2::write::GzEncoder::new(std::fs::File::create(path)?, flate2::Compression::best());
    let mut tar = tar::Builder::new(gz);
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o755);
    dir.set_size(0);
    dir.set_mtime(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs());
    tar.append_data(&mut dir, format!("{folder}/"), std::io::empty())?;
    for (source, name, mode) in files {
        let bytes = std::fs::read(source).with_context(|| format!("reading {}", source.display()))?;
        let modified = std::fs::metadata(source)?.modified()?;
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(*mode);
        header.set_mtime(modified.duration_since(std::time::UNIX_EPOCH)?.as_secs());
        tar.append_data(&mut header, format!("{folder}/{name}"), bytes.as_slice())?;
    }
    tar.into_inner()?.finish()?.flush()?;
    Ok(())
}

/// The tools venv, `target/dist-tools`: maturin, zig (`ziglang`),
/// cargo-zigbuild and auditwheel, pinned in
/// host-test/python/requirements-dist.txt.
struct Tools {
    venv: PathBuf,
}

impl Tools {
    fn bin(&self) -> PathBuf {
        self.venv.join(if cfg!(windows) { "Scripts" } else { "bin" })
    }

    /// `PATH` with the venv's tools first: cargo finds `cargo-zigbuild` there,
    /// and maturin and cargo-zigbuild run zig from the venv's `ziglang`.
    fn path(&self) -> anyhow::Result<std::ffi::OsString> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.bin()];
        paths.extend(std::env::split_paths(&path));
        Ok(std::env::join_paths(paths)?)
    }
}

/// Makes the tools venv if it is missing and installs the pinned tools into it.
fn tools(root: &Path) -> anyhow::Result<Tools> {
    let tools = Tools { venv: crate::workspace::target_dir().join("dist-tools") };
    let bin = tools.bin();
    let requirements = root.join("host-test/python/requirements-dist.txt");
    let python = std::env::var_os("PYTHON")
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| if cfg!(windows) { "python" } else { "python3" }.into());
    if !bin.join(if cfg!(windows) { "python.exe" } else { "python" }).exists() {
        crate::workspace::run(
            Command::new(&python).args(["-m", "venv"]).arg(&tools.venv),
            "creating the tools venv (dist needs Python 3 with venv)",
        )?;
    }
    crate::workspace::run(
        Command::new(bin.join("python"))
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements),
        "installing maturin, zig and cargo-zigbuild (pip)",
    )?;
    Ok(tools)
}

/// Builds the wheel with maturin from the tools venv and copies it into
/// `out`; on Linux against glibc 2.28 (`--zig`), checked with auditwheel.
fn wheel(
    root: &Path,
    tools: &Tools,
    out: &Path,
    options: &Options,
    target: &str,
    version: &str,
) -> anyhow::Result<String> {
    let bin = tools.bin();
    let wheels = tools.venv.join("wheels");
    let _ = std::fs::remove_dir_all(&wheels);
    let linux = target.contains("linux");
    let mut maturin = Command::new(bin.join("maturin"));
    maturin
        .current_dir(root)
        .args(["build", "--locked", "--strip", "--manifest-path", "host-test/python/Cargo.toml"])
        .args(["--profile", &options.profile])
        .arg("--out")
        .arg(&wheels)
        .env("CARGO_TARGET_DIR", crate::workspace::target_dir());
    if let Some(target) = &options.target {
        maturin.args(["--target", target]);
    }
    if linux {
        // Zig links against glibc 2.28's symbols whatever this machine's
        // glibc is; without it the tag would be this machine's glibc.
        maturin.args(["--zig", "--compatibility", MANYLINUX]);
        maturin.env("PATH", tools.path()?);
    }
    crate::workspace::run(&mut maturin, "building the wheel (maturin)")?;

    let mut built: Vec<PathBuf> = std::fs::read_dir(&wheels)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    ensure!(built.len() == 1, "maturin made {built:?}, not one wheel");
    let wheel = built.remove(0);
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    ensure!(
        name.starts_with(&format!("talemate_visual-{version}-cp39-abi3-")),
        "the wheel {name} is not version {version} for the stable ABI"
    );
    if linux {
        let shown = Command::new(bin.join("auditwheel")).arg("show").arg(&wheel).output().context("auditwheel show")?;
        let text = String::from_utf8_lossy(&shown.stdout);
        eprint!("{text}");
        let tag = manylinux_tag(&text).with_context(|| format!("auditwheel show names no platform tag: {text}"))?;
        ensure!(
            shown.status.success() && glibc_at_most(&tag, GLIBC_MINOR),
            "auditwheel says {tag}, newer than {MANYLINUX}"
        );
        ensure!(name.contains(&tag), "the wheel {name} is not tagged {tag}, the tag auditwheel gives it");
    }
    std::fs::copy(&wheel, out.join(&name))?;
    Ok(name)
}

/// The tag in auditwheel show's `... consistent with the following platform tag: "manylinux_2_28_x86_64".`
fn manylinux_tag(shown: &str) -> Option<String> {
    let after = &shown[shown.find("platform tag:")? + "platform tag:".len()..];
    let start = after.find('"')? + 1;
    let end = start + after[start..].find('"')?;
    Some(after[start..end].to_string())
}

/// Whether `manylinux_2_N_arch` (or a legacy `manylinux2014`, `manylinux2010`,
/// `manylinux1`) needs glibc 2.`minor` or older.
fn glibc_at_most(tag: &str, minor: u32) -> bool {
    if let Some(rest) = tag.strip_prefix("manylinux_2_") {
        return rest.split('_').next().and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| n <= minor);
    }
    ["manylinux2014", "manylinux2010", "manylinux1"].iter().any(|legacy| tag.starts_with(legacy))
}

/// The newest glibc a dynamically linked binary asks for: the largest
/// `GLIBC_2.N` among its version needs (names in its dynamic string table);
/// `None` when it names none.
fn glibc_needed(binary: &[u8]) -> Option<u32> {
    const NEED: &[u8] = b"GLIBC_2.";
    binary
        .windows(NEED.len())
        .enumerate()
        .filter(|(_, w)| *w == NEED)
        .filter_map(|(at, _)| {
            let digits = binary[at + NEED.len()..].iter().take_while(|b| b.is_ascii_digit()).count();
            std::str::from_utf8(&binary[at + NEED.len()..at + NEED.len() + digits]).ok()?.parse().ok()
        })
        .max()
}

/// `sha256sum`'s format, for every file in `dir`, by name.
fn sha256sums(dir: &Path) -> anyhow::Result<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    names.retain(|n| n != "SHA256SUMS");
    names.sort();
    let mut sums = String::new();
    for name in names {
        let digest = Sha256::digest(std::fs::read(dir.join(&name))?);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        sums += &format!("{hex}  {name}\n");
    }
    Ok(sums)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manylinux_tag_is_read_from_auditwheel_and_compared_by_glibc() {
        let shown = "\nx.whl is consistent with\nthe following platform tag: \"manylinux_2_28_x86_64\".\n";
        assert_eq!(manylinux_tag(shown).as_deref(), Some("manylinux_2_28_x86_64"));
        assert!(glibc_at_most("manylinux_2_28_x86_64", 28));
        assert!(glibc_at_most("manylinux_2_17_x86_64", 28));
        assert!(glibc_at_most("manylinux2014_x86_64", 28));
        assert!(!glibc_at_most("manylinux_2_36_x86_64", 28));
        assert!(!glibc_at_most("linux_x86_64", 28));
    }

    #[test]
    fn the_newest_glibc_a_binary_needs_is_read_from_its_version_names() {
        let binary = b"\x7fELF..GLIBC_2.2.5\0GLIBC_2.28\0GLIBC_2.14\0GLIBC_PRIVATE\0GLIBC_2.\0";
        assert_eq!(glibc_needed(binary), Some(28));
        assert_eq!(glibc_needed(b"\x7fELF static"), None);
    }

    #[test]
    fn options_default_to_a_release_with_a_wheel() {
        let o = Options::parse(&[]).unwrap();
        assert_eq!((o.profile.as_str(), o.target, o.wheel), ("release", None, true));
        let args: Vec<String> = ["--profile", "dev", "--no-wheel", "--target", "x"].map(String::from).to_vec();
        let o = Options::parse(&args).unwrap();
        assert_eq!((o.profile.as_str(), o.target.as_deref(), o.wheel), ("dev", Some("x"), false));
        assert!(Options::parse(&["--profile".into()]).is_err());
        assert!(Options::parse(&["--fast".into()]).is_err());
        assert_eq!(profile_dir("dev"), "debug");
        assert_eq!(profile_dir("release"), "release");
    }

    #[test]
    fn sums_are_in_sha256sum_format_without_themselves() {
        let dir = std::env::temp_dir().join(format!("xtask-sums-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("b"), "").unwrap();
        std::fs::write(dir.join("a"), "abc").unwrap();
        std::fs::write(dir.join("SHA256SUMS"), "old").unwrap();
        assert_eq!(
            sha256sums(&dir).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  b\n"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

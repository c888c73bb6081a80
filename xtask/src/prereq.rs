//! What the tasks need on the machine: the wasm32-wasip2 target, OpenSSH,
//! sudo, and Chromium with its WebDriver (for the web UI tests).
//! Installed when we can (rustup; apt-get as root), named when we cannot.

use std::path::Path;
use std::process::Command;

use crate::Result;
use crate::process::{run, show};

const WASM_TARGET: &str = "wasm32-wasip2";
const SSHD: &str = "/usr/sbin/sshd";
const SSH_KEYGEN: &str = "/usr/bin/ssh-keygen";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Installs the plans' target with rustup if it is missing.
pub fn wasm_target() -> Result {
    let mut list = Command::new("rustup");
    list.args(["target", "list", "--installed"]);
    let out = match list.output() {
        Ok(out) if out.status.success() => out,
        Ok(out) => {
            return Err(format!(
                "`{}` failed ({}): {}",
                show(&list),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim_end()
            ));
        }
        Err(e) => {
            // Not a rustup toolchain: the build will say if the target is missing.
            eprintln!("note: cannot check for the {WASM_TARGET} target without rustup ({e})");
            return Ok(());
        }
    };
    if String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|line| line.trim() == WASM_TARGET)
    {
        return Ok(());
    }
    eprintln!("installing the {WASM_TARGET} target");
    run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// Makes sure sshd and the OpenSSH client tools are installed, with apt-get
/// when we are root.
pub fn openssh() -> Result {
    if Path::new(SSHD).is_file() && Path::new(SSH_KEYGEN).is_file() {
        return Ok(());
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Err(format!(
            "the test fleet needs OpenSSH's {SSHD} and {SSH_KEYGEN}: install them \
             (Debian/Ubuntu: `sudo apt-get install openssh-server openssh-client`)"
        ));
    }
    eprintln!("installing openssh-server and openssh-client");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "openssh-server", "openssh-client"])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    if Path::new(SSHD).is_file() {
        Ok(())
    } else {
        Err(format!(
            "{SSHD} is still missing after installing openssh-server"
        ))
    }
}

/// Makes sure Debian's Chromium and chromedriver are installed (the web UI
/// tests drive them), with apt-get when we are root.
pub fn chromium() -> Result {
    if Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file() {
        return Ok(());
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Err(format!(
            "the web UI tests need {CHROMIUM} and {CHROMEDRIVER}: install them \
             (Debian: `sudo apt-get install chromium chromium-driver`)"
        ));
    }
    eprintln!("installing chromium and chromium-driver");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "chromium", "chromium-driver"])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    if Path::new(CHROMEDRIVER).is_file() {
        Ok(())
    } else {
        Err(format!(
            "{CHROMEDRIVER} is still missing after installing chromium-driver"
        ))
    }
}

/// Makes sure sudo is installed (the tests of `become` run commands as
/// other users through `sudo -n -u`), with apt-get when we are root.
pub fn sudo() -> Result {
    const SUDO: &str = "/usr/bin/sudo";
    if Path::new(SUDO).is_file() {
        return Ok(());
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Err(format!(
            "the become tests need {SUDO}: install it (Debian: `apt-get install sudo`)"
        ));
    }
    eprintln!("installing sudo");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "sudo"])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    if Path::new(SUDO).is_file() {
        Ok(())
    } else {
        Err(format!("{SUDO} is still missing after installing sudo"))
    }
}

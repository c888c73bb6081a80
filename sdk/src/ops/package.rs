//! The `package` operation: a package installed, at the latest version, or
//! removed, through the host's own package manager (apt for dpkg, dnf for
//! rpm, apk).

use super::{changed, check_name, unchanged};
use crate::Exec;
use crate::error::{Error, Result};
use crate::facts::{self, Package};
use crate::files::Change;
use crate::quote;

const LABEL: &str = "PACKAGE";

/// The package `name`: build it, then [`present`](PackageOp::present),
/// [`latest`](PackageOp::latest) or [`absent`](PackageOp::absent). Package
/// managers need root: use `become_user("root")` unless you log in as root.
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// planrun_sdk::ops::package("nginx").become_user("root").present()?;
/// # Ok(())
/// # }
/// ```
pub fn package(name: impl Into<String>) -> PackageOp {
    PackageOp {
        name: name.into(),
        become_user: None,
    }
}

/// See [`package`].
#[derive(Debug, Clone)]
#[must_use = "a package operation does nothing until `.present()`, `.latest()` or `.absent()`"]
pub struct PackageOp {
    name: String,
    become_user: Option<String>,
}

/// What the host's package manager does, per manager.
struct Manager {
    install: &'static str,
    remove: &'static str,
    upgrade: &'static str,
}

const APT: Manager = Manager {
    install: "apt-get install -y -q",
    remove: "apt-get remove -y -q",
    upgrade: "apt-get install -y -q --only-upgrade",
};
const DNF: Manager = Manager {
    install: "dnf install -y -q",
    remove: "dnf remove -y -q",
    upgrade: "dnf upgrade -y -q",
};
const APK: Manager = Manager {
    install: "apk add -q",
    remove: "apk del -q",
    upgrade: "apk add -q -u",
};

impl PackageOp {
    /// Runs the package manager as `user` through `sudo -n`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::package("curl").become_user("root").present()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn become_user(mut self, user: impl Into<String>) -> Self {
        self.become_user = Some(user.into());
        self
    }

    /// Installs the package unless some version of it is installed.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let installed = planrun_sdk::ops::package("git").present()?.is_changed();
    /// # Ok(())
    /// # }
    /// ```
    pub fn present(self) -> Result<Change> {
        let (package, manager) = self.fact()?;
        if let Some(version) = &package.version {
            return Ok(unchanged(
                LABEL,
                &self.name,
                &format!("{version} is installed"),
            ));
        }
        // Ask what would be installed, so that a dry run already fails on
        // a package no source offers, as the real run would.
        let candidate = self.candidate()?;
        self.manage(manager.install, &format!("installing {candidate}"))
    }

    /// Removes the package if it is installed.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::package("telnet").become_user("root").absent()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn absent(self) -> Result<Change> {
        let (package, manager) = self.fact()?;
        match &package.version {
            None => Ok(unchanged(LABEL, &self.name, "is not installed")),
            Some(version) => self.manage(manager.remove, &format!("removing {version}")),
        }
    }

    /// Installs or upgrades the package to the version the package manager
    /// offers now (its candidate).
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::package("openssl").become_user("root").latest()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn latest(self) -> Result<Change> {
        check_name("package", &self.name)?;
        // Both facts in one round trip.
        let names = [
            format!("package:{}", self.name),
            format!("package.candidate:{}", self.name),
        ];
        let found = facts::gather(&names)?;
        let package: Package = found.get(&names[0])?;
        let candidate = found.text(&names[1])?;
        let manager = manager(&package)?;
        if candidate.is_empty() {
            return Err(self.not_offered());
        }
        match &package.version {
            Some(version) if *version == candidate => Ok(unchanged(
                LABEL,
                &self.name,
                &format!("{version} is the latest"),
            )),
            Some(version) => self.manage(
                manager.upgrade,
                &format!("upgrading {version} → {candidate}"),
            ),
            None => self.manage(manager.install, &format!("installing {candidate}")),
        }
    }

    /// The version the package manager would install; none is an error.
    fn candidate(&self) -> Result<String> {
        facts::package_candidate(&self.name)?.ok_or_else(|| self.not_offered())
    }

    fn not_offered(&self) -> Error {
        Error::NotFound(format!(
            "no package source on the host offers {}",
            self.name
        ))
    }

    fn fact(&self) -> Result<(Package, &'static Manager)> {
        check_name("package", &self.name)?;
        let package = facts::package(&self.name)?;
        let manager = manager(&package)?;
        Ok((package, manager))
    }

    fn manage(&self, command: &str, what: &str) -> Result<Change> {
        let mut exec = Exec::new(format!("{command} {}", quote(&self.name)))
            // apt must never stop to ask.
            .env("DEBIAN_FRONTEND", "noninteractive");
        if let Some(user) = &self.become_user {
            exec = exec.become_user(user);
        }
        exec.run()?;
        Ok(changed(LABEL, &self.name, what))
    }
}

fn manager(package: &Package) -> Result<&'static Manager> {
    match package.manager.as_deref() {
        Some("dpkg") => Ok(&APT),
        Some("rpm") => Ok(&DNF),
        Some("apk") => Ok(&APK),
        _ => Err(Error::Other(format!(
            "cannot manage package {}: the host has none of dpkg, rpm or apk",
            package.name
        ))),
    }
}

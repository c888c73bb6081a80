//! The `service` operation: a systemd service started or stopped, enabled
//! or disabled, and restarted only when something it depends on changed.

use super::{changed, check_name, run, unchanged};
use crate::error::{Error, Result};
use crate::facts::{self, Unit};
use crate::files::Change;
use crate::quote;

const LABEL: &str = "SERVICE";

/// The systemd unit `name` (`nginx` means `nginx.service`): build it, then
/// [`started`](Service::started), [`stopped`](Service::stopped),
/// [`restarted`](Service::restarted), [`enabled`](Service::enabled) or
/// [`disabled`](Service::disabled).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// planrun_sdk::ops::service("nginx").become_user("root").started()?;
/// # Ok(())
/// # }
/// ```
pub fn service(name: impl Into<String>) -> Service {
    let name = name.into();
    let unit = if name.contains('.') {
        name
    } else {
        format!("{name}.service")
    };
    Service {
        unit,
        depends_on_change: false,
        become_user: None,
    }
}

/// See [`service`].
#[derive(Debug, Clone)]
#[must_use = "a service operation does nothing until `.started()`, `.stopped()`, …"]
pub struct Service {
    unit: String,
    /// Some operation this service depends on changed the host.
    depends_on_change: bool,
    become_user: Option<String>,
}

impl Service {
    /// What the service depends on: when any of these changed (a config
    /// file, a package), [`started`](Service::started) restarts a running
    /// service and [`restarted`](Service::restarted) restarts; when none did,
    /// neither restarts.
    ///
    /// ```no_run
    /// use planrun_sdk::ops;
    ///
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let conf = ops::file("/etc/app.conf").content("port = 80\n").apply()?;
    /// ops::service("app").restart_when([conf]).started()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn restart_when(mut self, changes: impl IntoIterator<Item = Change>) -> Self {
        self.depends_on_change = changes.into_iter().any(Change::is_changed);
        self
    }

    /// Runs systemctl as `user` through `sudo -n`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::service("nginx").become_user("root").enabled()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn become_user(mut self, user: impl Into<String>) -> Self {
        self.become_user = Some(user.into());
        self
    }

    /// Starts the service if it is not running; restarts it if it is and
    /// something it depends on changed.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::service("postgresql").started()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn started(self) -> Result<Change> {
        let unit = self.unit()?;
        if !is_running(&unit) {
            return self.systemctl("start", "started");
        }
        if self.depends_on_change {
            return self.systemctl("restart", "restarted: a dependency changed");
        }
        Ok(unchanged(LABEL, &self.unit, "is running"))
    }

    /// Stops the service if it is running.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::service("apache2").stopped()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn stopped(self) -> Result<Change> {
        let unit = self.unit()?;
        if is_running(&unit) {
            return self.systemctl("stop", "stopped");
        }
        Ok(unchanged(LABEL, &self.unit, &format!("is {}", unit.active)))
    }

    /// Restarts the service: always, or, when
    /// [`restart_when`](Service::restart_when) was given, only if one of
    /// those changed.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::service("app").restarted()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn restarted(self) -> Result<Change> {
        // Only to fail clearly on a unit that is not there.
        self.unit()?;
        if self.depends_on_change {
            return self.systemctl("restart", "restarted: a dependency changed");
        }
        self.systemctl("restart", "restarted")
    }

    /// Enables the service at boot if it is not.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::service("nginx").enabled()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn enabled(self) -> Result<Change> {
        let unit = self.unit()?;
        if unit.enabled == "enabled" {
            return Ok(unchanged(LABEL, &self.unit, "is enabled"));
        }
        self.systemctl("enable", "enabled")
    }

    /// Disables the service at boot if it is enabled.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::service("cups").disabled()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn disabled(self) -> Result<Change> {
        let unit = self.unit()?;
        if unit.enabled != "enabled" {
            return Ok(unchanged(
                LABEL,
                &self.unit,
                &format!("is {}", or_unknown(&unit.enabled)),
            ));
        }
        self.systemctl("disable", "disabled")
    }

    /// The unit's state; a unit systemd does not know is an error.
    fn unit(&self) -> Result<Unit> {
        check_name("unit", &self.unit)?;
        let unit = facts::unit(&self.unit)?;
        if unit.load == "not-found" {
            return Err(Error::NotFound(format!(
                "systemd has no unit {} on the host",
                self.unit
            )));
        }
        Ok(unit)
    }

    fn systemctl(&self, verb: &str, what: &str) -> Result<Change> {
        run(
            format!("systemctl {verb} {}", quote(&self.unit)),
            &self.become_user,
        )?;
        Ok(changed(LABEL, &self.unit, what))
    }
}

/// Running, or on its way there.
fn is_running(unit: &Unit) -> bool {
    matches!(unit.active.as_str(), "active" | "activating" | "reloading")
}

fn or_unknown(state: &str) -> &str {
    if state.is_empty() {
        "not enabled"
    } else {
        state
    }
}

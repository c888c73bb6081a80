//! What the plan knows about its run: the host it is bound to
//! ([`this_host`]), the whole host list ([`fleet`]), the operator's
//! parameters ([`param`] and friends) and whether this is a dry run.

use std::fmt;
use std::str::FromStr;

use crate::__bindings::planrun::plan::{context, types as wit};
use crate::error::{Error, Result};

/// A host of the run, as a plan sees it.
///
/// ```no_run
/// use planrun_sdk::this_host;
///
/// let host = this_host();
/// let dir = format!("/srv/{}", host.name);
/// let role = host.var("role").unwrap_or("web");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// The name the operator used (e.g. `secure001`).
    pub name: String,
    /// Where planrun connects (after ssh_config's `HostName`).
    pub address: String,
    /// Position in the run's host list, from 0.
    pub index: usize,
    /// Inventory groups the host belongs to.
    pub groups: Vec<String>,
    /// Inventory variables of the host, in inventory order.
    pub vars: Vec<(String, String)>,
}

impl Host {
    /// The inventory variable `name`, if the host has it.
    ///
    /// ```no_run
    /// let port = planrun_sdk::this_host().var("port").unwrap_or("8080").to_owned();
    /// ```
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Whether the host is in the inventory group `group`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// if planrun_sdk::this_host().in_group("db") {
    ///     planrun_sdk::exec("systemctl restart postgresql")?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }
}

impl fmt::Display for Host {
    /// The host's name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl From<wit::HostInfo> for Host {
    fn from(host: wit::HostInfo) -> Self {
        Host {
            name: host.name,
            address: host.address,
            index: host.index as usize,
            groups: host.groups,
            vars: host.vars,
        }
    }
}

/// The host this plan instance is bound to.
///
/// ```no_run
/// let me = planrun_sdk::this_host();
/// planrun_sdk::step("HELLO", format!("{} is host #{}", me.name, me.index));
/// ```
pub fn this_host() -> Host {
    context::this_host().into()
}

/// Every host of the run, in the operator's order.
///
/// ```no_run
/// let peers: Vec<String> = planrun_sdk::fleet().into_iter().map(|h| h.address).collect();
/// let config = format!("peers = {}\n", peers.join(","));
/// ```
pub fn fleet() -> Vec<Host> {
    context::fleet().into_iter().map(Host::from).collect()
}

/// The run parameter `name` (`--param name=VALUE`), if the operator set it.
///
/// ```no_run
/// if let Some(branch) = planrun_sdk::param("branch") {
///     planrun_sdk::step("PULL", format!("branch {branch}"));
/// }
/// ```
pub fn param(name: impl AsRef<str>) -> Option<String> {
    context::param(name.as_ref())
}

/// The run parameter `name`, or `default` if the operator did not set it.
///
/// ```no_run
/// let version = planrun_sdk::param_or("version", "1.0");
/// ```
pub fn param_or(name: impl AsRef<str>, default: impl Into<String>) -> String {
    param(name).unwrap_or_else(|| default.into())
}

/// The run parameter `name`, or [`Error::MissingParam`] ("missing required
/// parameter `name`: pass --param name=VALUE").
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let command = planrun_sdk::require_param("command")?;
/// # Ok(())
/// # }
/// ```
pub fn require_param(name: impl AsRef<str>) -> Result<String> {
    let name = name.as_ref();
    param(name).ok_or_else(|| Error::MissingParam(name.to_owned()))
}

/// The run parameter `name` parsed as `T`: `None` if unset,
/// [`Error::InvalidParam`] if it does not parse.
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let retries: u32 = planrun_sdk::param_as("retries")?.unwrap_or(3);
/// # Ok(())
/// # }
/// ```
pub fn param_as<T>(name: impl AsRef<str>) -> Result<Option<T>>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    let name = name.as_ref();
    param(name)
        .map(|value| parse_param(name, value))
        .transpose()
}

fn parse_param<T>(name: &str, value: String) -> Result<T>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    value
        .trim()
        .parse()
        .map_err(|e: T::Err| Error::InvalidParam {
            name: name.to_owned(),
            reason: e.to_string(),
            value,
        })
}

/// All run parameters, as `(name, value)` pairs.
///
/// ```no_run
/// for (name, value) in planrun_sdk::params() {
///     planrun_sdk::debug(format!("{name} = {value}"));
/// }
/// ```
pub fn params() -> Vec<(String, String)> {
    context::params()
}

/// Whether this is a dry run: [`exec`](crate::exec) and file changes are
/// reported, not made; [`probe`](crate::probe) and facts still run.
///
/// ```no_run
/// if planrun_sdk::is_dry_run() {
///     planrun_sdk::warn("dry run: nothing will change");
/// }
/// ```
pub fn is_dry_run() -> bool {
    context::dry_run()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_parse_or_say_why_not() {
        assert_eq!(parse_param::<u64>("timeout", " 30 ".into()), Ok(30));
        let error = parse_param::<u64>("timeout", "soon".into()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "parameter `timeout` has an invalid value `soon`: invalid digit found in string"
        );
    }

    #[test]
    fn host_vars_and_groups() {
        let host = Host {
            name: "web1".into(),
            address: "10.0.0.1".into(),
            index: 0,
            groups: vec!["web".into()],
            vars: vec![("port".into(), "80".into())],
        };
        assert_eq!(host.var("port"), Some("80"));
        assert_eq!(host.var("nope"), None);
        assert!(host.in_group("web") && !host.in_group("db"));
        assert_eq!(host.to_string(), "web1");
    }
}

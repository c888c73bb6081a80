//! Facts: what planrun knows about the host, gathered live and cached until
//! the next change on it. [`fact`] asks by name; the functions here are the
//! typed names of the known facts, and [`gather`] asks for several at once,
//! in one round trip to the host.
//!
//! Facts about a thing on the host ([`stat`], [`package`], [`unit()`],
//! [`command_path`], [`user`], [`group`]) come back typed; planrun sends
//! them as JSON (the shapes are documented in `wit/plan.wit`). They are
//! gathered as the login user.
//!
//! ```no_run
//! use planrun_sdk::facts;
//!
//! # fn main() -> planrun_sdk::Result<()> {
//! if facts::os_id()? == "debian" && facts::arch()? == "x86_64" {
//!     planrun_sdk::exec("apt-get install -y ./app_amd64.deb")?;
//! }
//! # Ok(())
//! # }
//! ```

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::__bindings::planrun::plan::target;
use crate::error::{Error, Result};

/// A fact about the host by name: `hostname`, `os`, `os.id`, `os.version`,
/// `os.name`, `os.family`, `kernel`, `kernel.name`, `arch`, `cpus`,
/// `memory`, `users`, `groups`, or one about a thing on the host:
/// `stat:PATH`, `package:NAME`, `package.candidate:NAME`, `unit:NAME`,
/// `command:NAME`, `user:NAME`, `group:NAME` (these answer in JSON; the typed
/// functions of this module read it). An unknown name is
/// [`Error::UnknownFact`], which lists the known ones.
///
/// ```no_run
/// use planrun_sdk::{fact, step};
///
/// # fn main() -> planrun_sdk::Result<()> {
/// step("FACTS", format!("{} on {}", fact("os")?, fact("kernel")?));
/// # Ok(())
/// # }
/// ```
pub fn fact(name: impl AsRef<str>) -> Result<String> {
    let name = name.as_ref();
    target::fact(name).map_err(|e| match Error::from(e) {
        // The WIT error lists the known facts; name the one asked for.
        Error::UnknownFact { known, .. } => Error::UnknownFact {
            name: name.to_owned(),
            known,
        },
        other => other,
    })
}

/// The host's name, as `hostname` says it (fact `hostname`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let name = planrun_sdk::facts::hostname()?;
/// # Ok(())
/// # }
/// ```
pub fn hostname() -> Result<String> {
    fact("hostname")
}

/// The operating system, e.g. `Debian GNU/Linux 12 (bookworm)` (fact `os`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// planrun_sdk::step("FACTS", planrun_sdk::facts::os()?);
/// # Ok(())
/// # }
/// ```
pub fn os() -> Result<String> {
    fact("os")
}

/// The operating system's id, e.g. `debian`, `ubuntu`, `alpine` (fact `os.id`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let installer = match planrun_sdk::facts::os_id()?.as_str() {
///     "alpine" => "apk add",
///     _ => "apt-get install -y",
/// };
/// # Ok(())
/// # }
/// ```
pub fn os_id() -> Result<String> {
    fact("os.id")
}

/// The operating system's version, e.g. `12` (fact `os.version`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let version = planrun_sdk::facts::os_version()?;
/// # Ok(())
/// # }
/// ```
pub fn os_version() -> Result<String> {
    fact("os.version")
}

/// The kernel release, as `uname -r` says it (fact `kernel`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let kernel = planrun_sdk::facts::kernel()?;
/// # Ok(())
/// # }
/// ```
pub fn kernel() -> Result<String> {
    fact("kernel")
}

/// The machine architecture, as `uname -m` says it, e.g. `x86_64` (fact `arch`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let arch = planrun_sdk::facts::arch()?;
/// # Ok(())
/// # }
/// ```
pub fn arch() -> Result<String> {
    fact("arch")
}

/// The number of online CPUs (fact `cpus`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let workers = planrun_sdk::facts::cpus()? * 2;
/// # Ok(())
/// # }
/// ```
pub fn cpus() -> Result<u32> {
    number("cpus")
}

/// Total memory in bytes (fact `memory`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let cache_mib = planrun_sdk::facts::memory()? / 4 / (1 << 20);
/// # Ok(())
/// # }
/// ```
pub fn memory() -> Result<u64> {
    number("memory")
}

fn number<T: std::str::FromStr>(name: &str) -> Result<T> {
    let text = fact(name)?;
    text.trim()
        .parse()
        .map_err(|_| Error::Other(format!("fact `{name}` is {text:?}, not a number")))
}

/// What kind of thing a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// A regular file.
    File,
    Directory,
    /// A symbolic link (facts never follow one).
    Symlink,
    /// A device, socket or pipe.
    Other,
}

/// What the host has at a path (fact `stat:PATH`).
///
/// ```no_run
/// use planrun_sdk::facts::{self, FileKind};
///
/// # fn main() -> planrun_sdk::Result<()> {
/// let stat = facts::stat("/etc/nginx/nginx.conf")?;
/// if stat.kind == Some(FileKind::File) && stat.mode != Some(0o644) {
///     planrun_sdk::warn("nginx.conf has an unusual mode");
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Stat {
    /// The path asked about.
    pub path: String,
    /// Whether anything is there (a dangling symlink counts).
    pub exists: bool,
    /// What is there; `None` when nothing is.
    pub kind: Option<FileKind>,
    /// Permission bits, e.g. `0o644`.
    #[serde(deserialize_with = "octal")]
    pub mode: Option<u32>,
    /// Owning user and group names.
    pub owner: Option<String>,
    pub group: Option<String>,
    /// Size in bytes.
    pub size: Option<u64>,
    /// sha256 of a regular file of at most 64 MiB the login user can read.
    pub sha256: Option<String>,
    /// Where a symlink points.
    pub target: Option<String>,
}

fn octal<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<u32>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    text.map(|t| u32::from_str_radix(&t, 8).map_err(serde::de::Error::custom))
        .transpose()
}

/// The path's [`Stat`] (fact `stat:PATH`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// if !planrun_sdk::facts::stat("/srv/app/current")?.exists {
///     planrun_sdk::bail!("no release deployed yet");
/// }
/// # Ok(())
/// # }
/// ```
pub fn stat(path: impl AsRef<str>) -> Result<Stat> {
    typed(&format!("stat:{}", path.as_ref()))
}

/// A package as the host's package manager sees it (fact `package:NAME`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let nginx = planrun_sdk::facts::package("nginx")?;
/// if let Some(version) = &nginx.version {
///     planrun_sdk::step("NGINX", format!("nginx {version}"));
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Package {
    pub name: String,
    /// `dpkg`, `rpm` or `apk`; `None` when the host has none of them.
    pub manager: Option<String>,
    pub installed: bool,
    /// The installed version.
    pub version: Option<String>,
}

/// The package `name` on the host (fact `package:NAME`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let installed = planrun_sdk::facts::package("curl")?.installed;
/// # Ok(())
/// # }
/// ```
pub fn package(name: impl AsRef<str>) -> Result<Package> {
    typed(&format!("package:{}", name.as_ref()))
}

/// The version of `name` the package manager would install now, or `None`
/// if no source offers it (fact `package.candidate:NAME`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// if let Some(candidate) = planrun_sdk::facts::package_candidate("nginx")? {
///     planrun_sdk::debug(format!("nginx {candidate} is available"));
/// }
/// # Ok(())
/// # }
/// ```
pub fn package_candidate(name: impl AsRef<str>) -> Result<Option<String>> {
    let version = fact(format!("package.candidate:{}", name.as_ref()))?;
    Ok((!version.is_empty()).then_some(version))
}

/// A systemd unit's state (fact `unit:NAME`), as `systemctl show` says it.
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let unit = planrun_sdk::facts::unit("nginx.service")?;
/// let running = unit.active == "active";
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Unit {
    pub name: String,
    /// `loaded`, `not-found`, `masked`, …
    pub load: String,
    /// `active`, `inactive`, `failed`, `activating`, …
    pub active: String,
    /// The finer state, e.g. `running`, `dead`, `exited`.
    pub sub: String,
    /// `enabled`, `disabled`, `static`, `masked`, or "" when unknown.
    pub enabled: String,
}

/// The systemd unit `name` (fact `unit:NAME`); the host needs systemd.
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let enabled = planrun_sdk::facts::unit("ssh.service")?.enabled == "enabled";
/// # Ok(())
/// # }
/// ```
pub fn unit(name: impl AsRef<str>) -> Result<Unit> {
    typed(&format!("unit:{}", name.as_ref()))
}

/// Where the host finds the command `name`, or `None` if it has none
/// (fact `command:NAME`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// if planrun_sdk::facts::command_path("git")?.is_none() {
///     planrun_sdk::bail!("this plan needs git on the host");
/// }
/// # Ok(())
/// # }
/// ```
pub fn command_path(name: impl AsRef<str>) -> Result<Option<String>> {
    let path = fact(format!("command:{}", name.as_ref()))?;
    Ok((!path.is_empty()).then_some(path))
}

/// A user account (facts `users` and `user:NAME`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// if let Some(app) = planrun_sdk::facts::user("app")? {
///     planrun_sdk::debug(format!("app is uid {} in {:?}", app.uid, app.groups));
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct User {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    /// The primary group's name.
    pub group: Option<String>,
    /// Every group the user is in, the primary first.
    pub groups: Vec<String>,
    pub home: String,
    pub shell: String,
}

/// The user `name`, or `None` if the host has no such user (fact `user:NAME`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let exists = planrun_sdk::facts::user("postgres")?.is_some();
/// # Ok(())
/// # }
/// ```
pub fn user(name: impl AsRef<str>) -> Result<Option<User>> {
    typed(&format!("user:{}", name.as_ref()))
}

/// Every user on the host (fact `users`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let humans = planrun_sdk::facts::users()?.into_iter().filter(|u| u.uid >= 1000).count();
/// # Ok(())
/// # }
/// ```
pub fn users() -> Result<Vec<User>> {
    typed("users")
}

/// A group (facts `groups` and `group:NAME`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let sudoers = planrun_sdk::facts::group("sudo")?.map(|g| g.members).unwrap_or_default();
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Group {
    pub name: String,
    pub gid: u32,
    /// Users with this as a supplementary group.
    pub members: Vec<String>,
}

/// The group `name`, or `None` if there is none (fact `group:NAME`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let gid = planrun_sdk::facts::group("www-data")?.map(|g| g.gid);
/// # Ok(())
/// # }
/// ```
pub fn group(name: impl AsRef<str>) -> Result<Option<Group>> {
    typed(&format!("group:{}", name.as_ref()))
}

/// Every group on the host (fact `groups`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let count = planrun_sdk::facts::groups()?.len();
/// # Ok(())
/// # }
/// ```
pub fn groups() -> Result<Vec<Group>> {
    typed("groups")
}

/// Several facts gathered in one round trip to the host, for reading with
/// [`Gathered::text`] and [`Gathered::get`]. Facts already cached are not
/// gathered again.
///
/// ```no_run
/// use planrun_sdk::facts::{self, Package, Stat};
///
/// # fn main() -> planrun_sdk::Result<()> {
/// let found = facts::gather(["os", "package:nginx", "stat:/etc/nginx/nginx.conf"])?;
/// let os = found.text("os")?;
/// let nginx: Package = found.get("package:nginx")?;
/// let conf: Stat = found.get("stat:/etc/nginx/nginx.conf")?;
/// # Ok(())
/// # }
/// ```
pub fn gather<I, S>(names: I) -> Result<Gathered>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let names: Vec<String> = names.into_iter().map(|n| n.as_ref().to_owned()).collect();
    if let Some(bad) = names.iter().find(|n| n.is_empty() || n.contains('\n')) {
        return Err(Error::Invalid(format!("{bad:?} is not a fact name")));
    }
    // A newline-separated list asks for a JSON object of all of them.
    let joined = format!("{}\n", names.join("\n"));
    let answer = fact_named(&joined, &names)?;
    match serde_json::from_str(&answer) {
        Ok(Value::Object(facts)) => Ok(Gathered { facts }),
        _ => Err(Error::Other(format!(
            "facts {} came back as {answer:?}, not a JSON object",
            names.join(", ")
        ))),
    }
}

/// Facts from [`gather`], by name.
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let found = planrun_sdk::facts::gather(["hostname", "cpus"])?;
/// planrun_sdk::step("FACTS", format!("{} has {} CPUs", found.text("hostname")?, found.text("cpus")?));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Gathered {
    facts: Map<String, Value>,
}

impl Gathered {
    /// A gathered fact as text: text facts as they are, others as JSON.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let found = planrun_sdk::facts::gather(["os", "stat:/etc/hosts"])?;
    /// planrun_sdk::print(found.text("stat:/etc/hosts")?); // {"path":"/etc/hosts",…}
    /// # Ok(())
    /// # }
    /// ```
    pub fn text(&self, name: &str) -> Result<String> {
        match self.value(name)? {
            Value::String(text) => Ok(text.clone()),
            other => Ok(other.to_string()),
        }
    }

    /// A gathered fact read as `T`, e.g. [`Stat`] for `stat:PATH`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let found = planrun_sdk::facts::gather(["user:app"])?;
    /// let app: Option<planrun_sdk::facts::User> = found.get("user:app")?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Result<T> {
        serde_json::from_value(self.value(name)?.clone()).map_err(|e| shape(name, e))
    }

    /// Every gathered fact, as JSON.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let found = planrun_sdk::facts::gather(["os", "arch"])?;
    /// planrun_sdk::print(found.to_json());
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_json(&self) -> String {
        Value::Object(self.facts.clone()).to_string()
    }

    fn value(&self, name: &str) -> Result<&Value> {
        self.facts
            .get(name)
            .ok_or_else(|| Error::Invalid(format!("fact `{name}` was not gathered")))
    }
}

/// Asks for the newline-separated `batch` of `names`; if planrun does not
/// know one of them, the error names the first it does not know.
fn fact_named(batch: &str, names: &[String]) -> Result<String> {
    target::fact(batch).map_err(|e| match Error::from(e) {
        Error::UnknownFact { known, .. } => Error::UnknownFact {
            name: names
                .iter()
                .find(|name| !is_known(name, &known))
                .cloned()
                .unwrap_or_else(|| names.join(", ")),
            known,
        },
        other => other,
    })
}

/// Whether `name` is one of `known`, which lists plain names and forms
/// like `stat:PATH` (a prefix and a placeholder).
fn is_known(name: &str, known: &[String]) -> bool {
    known.iter().any(|k| match k.split_once(':') {
        Some((prefix, _)) => name
            .split_once(':')
            .is_some_and(|(p, arg)| p == prefix && !arg.is_empty()),
        None => k == name,
    })
}

/// A structured fact, read from its JSON.
fn typed<T: DeserializeOwned>(name: &str) -> Result<T> {
    let text = fact(name)?;
    serde_json::from_str(&text).map_err(|e| shape(name, e))
}

fn shape(name: &str, error: serde_json::Error) -> Error {
    Error::Other(format!(
        "fact `{name}` does not have the shape this SDK knows ({error}); is planrun older than the SDK?"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unknown_name_of_a_batch_is_found_in_the_known_list() {
        let known: Vec<String> = ["os", "stat:PATH"].iter().map(|s| s.to_string()).collect();
        assert!(is_known("os", &known));
        assert!(is_known("stat:/etc", &known));
        assert!(!is_known("stat:", &known));
        assert!(!is_known("disk:/", &known));
        assert!(!is_known("oss", &known));
    }

    #[test]
    fn stat_reads_octal_modes_and_missing_paths() {
        let stat: Stat = serde_json::from_str(
            r#"{"path":"/x","exists":true,"kind":"file","mode":"0640","owner":"root",
               "group":"adm","size":3,"sha256":null,"target":null}"#,
        )
        .unwrap();
        assert_eq!(stat.mode, Some(0o640));
        assert_eq!(stat.kind, Some(FileKind::File));
        let missing: Stat = serde_json::from_str(
            r#"{"path":"/y","exists":false,"kind":null,"mode":null,"owner":null,
               "group":null,"size":null,"sha256":null,"target":null}"#,
        )
        .unwrap();
        assert!(!missing.exists && missing.mode.is_none());
    }
}

//! Facts: what a host is, gathered live in one remote command on first use
//! and cached until the next change on that host.

use super::Remote;
use crate::plan::bindings::PlanError;

/// Every fact name `fact()` answers, in the order shown to plan authors.
pub const KNOWN_FACTS: &[&str] = &[
    "hostname",
    "os",
    "os.id",
    "os.version",
    "os.name",
    "os.family",
    "kernel",
    "kernel.name",
    "arch",
];

/// One command for all of them: a round trip costs more than the bytes.
const GATHER: &str =
    "uname -n; uname -s; uname -r; uname -m; cat /etc/os-release 2>/dev/null; true";

#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    hostname: String,
    kernel_name: String,
    kernel: String,
    arch: String,
    os_id: String,
    os_version: String,
    os_name: String,
    os_family: String,
}

impl Facts {
    /// Parses the output of [`GATHER`].
    fn parse(stdout: &str) -> Option<Facts> {
        let mut lines = stdout.lines();
        let mut next = || lines.next().map(|l| l.trim().to_string());
        let (hostname, kernel_name, kernel, arch) = (next()?, next()?, next()?, next()?);
        let release: Vec<(String, String)> = stdout
            .lines()
            .skip(4)
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), unquote(v.trim())))
            .collect();
        let get = |key: &str| {
            release
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let os_id = get("ID").unwrap_or_else(|| kernel_name.to_lowercase());
        let os_family = get("ID_LIKE")
            .and_then(|like| like.split_whitespace().next().map(str::to_string))
            .unwrap_or_else(|| os_id.clone());
        Some(Facts {
            os_version: get("VERSION_ID").unwrap_or_default(),
            os_name: get("PRETTY_NAME").unwrap_or_else(|| os_id.clone()),
            os_id,
            os_family,
            hostname,
            kernel_name,
            kernel,
            arch,
        })
    }

    fn get(&self, name: &str) -> Option<String> {
        Some(match name {
            "hostname" => self.hostname.clone(),
            "os" => format!("{} {}", self.os_id, self.os_version)
                .trim()
                .to_string(),
            "os.id" => self.os_id.clone(),
            "os.version" => self.os_version.clone(),
            "os.name" => self.os_name.clone(),
            "os.family" => self.os_family.clone(),
            "kernel" => self.kernel.clone(),
            "kernel.name" => self.kernel_name.clone(),
            "arch" => self.arch.clone(),
            _ => return None,
        })
    }
}

fn unquote(value: &str) -> String {
    let v = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    v.replace("\\\"", "\"")
}

impl Remote {
    /// The fact `name`, gathering all facts if none are cached.
    pub async fn fact(&mut self, name: &str) -> Result<String, PlanError> {
        if !KNOWN_FACTS.contains(&name) {
            return Err(PlanError::UnknownFact(
                KNOWN_FACTS.iter().map(|f| f.to_string()).collect(),
            ));
        }
        if self.facts.is_none() {
            let raw = self.run(GATHER, None, None).await?;
            let stdout = String::from_utf8_lossy(&raw.stdout);
            if raw.status != crate::transport::ExitStatus::Code(0) {
                return Err(PlanError::Other(format!(
                    "gathering facts failed: {}",
                    String::from_utf8_lossy(&raw.stderr).trim()
                )));
            }
            self.facts = Some(Facts::parse(&stdout).ok_or_else(|| {
                PlanError::Other(format!("could not read the host's facts from {stdout:?}"))
            })?);
        }
        Ok(self
            .facts
            .as_ref()
            .and_then(|f| f.get(name))
            .expect("known fact"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_debian() {
        let out = "secure001\nLinux\n6.1.0-18-amd64\nx86_64\n\
            PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
            VERSION_ID=\"12\"\nID=debian\n";
        let f = Facts::parse(out).unwrap();
        assert_eq!(f.get("os").unwrap(), "debian 12");
        assert_eq!(f.get("os.family").unwrap(), "debian");
        assert_eq!(f.get("os.name").unwrap(), "Debian GNU/Linux 12 (bookworm)");
        assert_eq!(f.get("kernel").unwrap(), "6.1.0-18-amd64");
        assert_eq!(f.get("arch").unwrap(), "x86_64");
        assert_eq!(f.get("hostname").unwrap(), "secure001");
    }

    #[test]
    fn reads_rocky_and_alpine() {
        let rocky = "r1\nLinux\n5.14.0\nx86_64\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"\n";
        let f = Facts::parse(rocky).unwrap();
        assert_eq!(f.get("os").unwrap(), "rocky 9.3");
        assert_eq!(f.get("os.family").unwrap(), "rhel");
        let alpine = "a1\nLinux\n6.6.1\naarch64\nID=alpine\nVERSION_ID=3.19.0\n";
        assert_eq!(
            Facts::parse(alpine).unwrap().get("os").unwrap(),
            "alpine 3.19.0"
        );
    }

    #[test]
    fn without_os_release_falls_back_to_the_kernel() {
        let f = Facts::parse("bsd1\nFreeBSD\n14.0-RELEASE\namd64\n").unwrap();
        assert_eq!(f.get("os.id").unwrap(), "freebsd");
    }
}

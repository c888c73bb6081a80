//! The plan's asset directory: the only part of the controller's filesystem
//! a plan can read, opened through cap-std so that `..`, absolute paths and
//! symlinks leading out of it fail.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use cap_std::ambient_authority;
use cap_std::fs::Dir;

use crate::plan::bindings::PlanError;

/// Largest asset `copy` will send; bigger files belong in a package.
const MAX_ASSET_BYTES: u64 = 256 * 1024 * 1024;

pub struct Assets {
    dir: Option<(PathBuf, Dir)>,
}

impl Assets {
    /// No asset directory: every `copy` fails, saying how to give one.
    pub fn none() -> Self {
        Assets { dir: None }
    }

    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let dir = Dir::open_ambient_dir(path, ambient_authority())
            .map_err(|e| anyhow::anyhow!("cannot open asset directory {}: {e}", path.display()))?;
        Ok(Assets {
            dir: Some((path.to_path_buf(), dir)),
        })
    }

    /// The contents of `name`, a relative path inside the asset directory.
    pub fn read(&self, name: &str) -> Result<Vec<u8>, PlanError> {
        let Some((root, dir)) = &self.dir else {
            return Err(PlanError::NotFound(format!(
                "asset `{name}`: this run has no asset directory; pass --assets DIR"
            )));
        };
        if Path::new(name).is_absolute() {
            return Err(PlanError::Denied(format!(
                "asset `{name}` is an absolute path; assets are named relative to the asset \
                 directory {}",
                root.display()
            )));
        }
        let size = dir
            .metadata(name)
            .map_err(|e| asset_error(root, name, e))?
            .len();
        if size > MAX_ASSET_BYTES {
            return Err(PlanError::Invalid(format!(
                "asset `{name}` is {size} bytes; copy takes at most {MAX_ASSET_BYTES}"
            )));
        }
        dir.read(name).map_err(|e| asset_error(root, name, e))
    }
}

fn asset_error(root: &Path, name: &str, e: std::io::Error) -> PlanError {
    match e.kind() {
        ErrorKind::NotFound => PlanError::NotFound(format!(
            "asset `{name}` is not in the asset directory {}",
            root.display()
        )),
        // cap-std's word for `..` or a symlink that would leave the directory.
        ErrorKind::PermissionDenied if e.to_string().contains("led outside") => {
            PlanError::Denied(format!(
                "asset `{name}` leads outside the asset directory {} (through `..` or a symlink)",
                root.display()
            ))
        }
        ErrorKind::PermissionDenied => PlanError::Denied(format!(
            "asset `{name}` in {} is not readable: {e}",
            root.display()
        )),
        _ => PlanError::Denied(format!(
            "asset `{name}` cannot be read from {}: {e}",
            root.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn denied(assets: &Assets, name: &str) -> String {
        match assets.read(name) {
            Err(PlanError::Denied(why)) => why,
            other => panic!("{name}: expected denied, got {other:?}"),
        }
    }

    #[test]
    fn nothing_outside_the_directory_can_be_read() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("assets");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("motd.txt"), "hi").unwrap();
        let outside = tmp.path().join("outside.txt");
        std::fs::write(&outside, "secret").unwrap();
        std::os::unix::fs::symlink("../outside.txt", root.join("link-out")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("abs-link")).unwrap();
        std::os::unix::fs::symlink("motd.txt", root.join("link-in")).unwrap();
        let assets = Assets::open(&root).unwrap();

        assert_eq!(assets.read("motd.txt").unwrap(), b"hi");
        assert_eq!(assets.read("sub/../link-in").unwrap(), b"hi");
        for escape in [
            "../outside.txt",
            "sub/../../outside.txt",
            "link-out",
            "abs-link",
        ] {
            assert!(
                denied(&assets, escape).contains("leads outside"),
                "{escape}"
            );
        }
        let absolute = outside.to_str().unwrap();
        assert!(denied(&assets, absolute).contains("absolute path"));
    }
}

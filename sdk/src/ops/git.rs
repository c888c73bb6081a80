//! The `git` operation: a checkout of a repository at a revision. The
//! revision is resolved with `git ls-remote` (read-only, so a dry run knows
//! exactly what would be checked out), then compared with the checkout's
//! `HEAD`.

use super::{ask, changed, run, unchanged};
use crate::error::{Error, Result};
use crate::facts::{self, FileKind};
use crate::files::Change;
use crate::quote;

const LABEL: &str = "GIT";

/// A checkout of `repository` in `dest`: build it, then
/// [`apply`](Git::apply). The host needs git, and access to the repository.
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// planrun_sdk::ops::git("https://github.com/example/app.git", "/srv/app/src")
///     .revision("v1.4.2")
///     .become_user("app")
///     .apply()?;
/// # Ok(())
/// # }
/// ```
pub fn git(repository: impl Into<String>, dest: impl Into<String>) -> Git {
    Git {
        repository: repository.into(),
        dest: dest.into(),
        revision: "HEAD".into(),
        become_user: None,
    }
}

/// See [`git`].
#[derive(Debug, Clone)]
#[must_use = "a git operation does nothing until `.apply()`"]
pub struct Git {
    repository: String,
    dest: String,
    revision: String,
    become_user: Option<String>,
}

impl Git {
    /// The revision to check out: a branch, a tag, a full commit id, or
    /// `HEAD` (the default: the repository's default branch).
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::git("/srv/mirror/app.git", "/srv/app").revision("main").apply()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.revision = revision.into();
        self
    }

    /// Runs git as `user` through `sudo -n` (the checkout's owner).
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::git("/srv/mirror/app.git", "/srv/app").become_user("app").apply()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn become_user(mut self, user: impl Into<String>) -> Self {
        self.become_user = Some(user.into());
        self
    }

    /// Clones or checks out so that `dest` is at the revision (detached):
    /// changed if it was not.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let new_code = planrun_sdk::ops::git("/srv/mirror/app.git", "/srv/app").apply()?.is_changed();
    /// # Ok(())
    /// # }
    /// ```
    pub fn apply(self) -> Result<Change> {
        let want = self.resolve()?;
        let short = &want[..12];
        let subject = format!("{} @ {}", self.dest, self.revision);
        let dest = quote(&self.dest);
        let stat = facts::stat(&self.dest)?;
        if stat.kind.is_none() {
            run(
                format!(
                    "git clone --quiet {} {dest} && git -C {dest} checkout --quiet --detach {want}",
                    quote(&self.repository)
                ),
                &self.become_user,
            )?;
            return Ok(changed(LABEL, &subject, &format!("cloned at {short}")));
        }
        if stat.kind != Some(FileKind::Directory) {
            return Err(Error::Invalid(format!(
                "{} exists and is not a directory",
                self.dest
            )));
        }
        let head = ask(format!("git -C {dest} rev-parse HEAD"), &self.become_user)?;
        if !head.success() {
            return Err(Error::Invalid(format!(
                "{} exists and is not a git checkout: {}",
                self.dest,
                head.stderr_str().trim()
            )));
        }
        let have = head.stdout_str().trim().to_string();
        if have == want {
            return Ok(unchanged(LABEL, &subject, &format!("at {short}")));
        }
        // Fetch only what is missing, then move HEAD; a dirty checkout makes
        // git refuse, which is the right answer.
        run(
            format!(
                "{{ git -C {dest} cat-file -e {want}^{{commit}} 2>/dev/null || \
                 git -C {dest} fetch --quiet {repo} {want} || git -C {dest} fetch --quiet {repo}; }} \
                 && git -C {dest} checkout --quiet --detach {want}",
                repo = quote(&self.repository)
            ),
            &self.become_user,
        )?;
        let was = &have[..have.len().min(12)];
        Ok(changed(LABEL, &subject, &format!("{was} → {short}")))
    }

    /// The full commit id the revision names in the repository.
    fn resolve(&self) -> Result<String> {
        if is_commit_id(&self.revision) {
            return Ok(self.revision.to_lowercase());
        }
        // Every ref, not just those matching the revision: with a pattern,
        // git leaves out an annotated tag's peeled commit (`v1^{}`).
        let listing = ask(
            format!("git ls-remote {}", quote(&self.repository)),
            &self.become_user,
        )?;
        if !listing.success() {
            return Err(Error::CommandFailed(listing));
        }
        pick_ref(&listing.stdout_str(), &self.revision).ok_or_else(|| {
            Error::NotFound(format!(
                "{} has no branch or tag {}",
                self.repository, self.revision
            ))
        })
    }
}

fn is_commit_id(revision: &str) -> bool {
    revision.len() == 40 && revision.bytes().all(|b| b.is_ascii_hexdigit())
}

/// From `git ls-remote` lines (`SHA\tREF`), the commit `revision` names:
/// an annotated tag's peeled commit first, then a branch, then a tag.
fn pick_ref(listing: &str, revision: &str) -> Option<String> {
    let refs: Vec<(&str, &str)> = listing.lines().filter_map(|l| l.split_once('\t')).collect();
    let wanted = [
        format!("refs/tags/{revision}^{{}}"),
        format!("refs/heads/{revision}"),
        format!("refs/tags/{revision}"),
        revision.to_string(),
    ];
    wanted.iter().find_map(|name| {
        refs.iter()
            .find(|(_, r)| r == name)
            .map(|(sha, _)| sha.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotated_tags_resolve_to_their_commit() {
        let listing = "aaa\trefs/tags/v1\nbbb\trefs/tags/v1^{}\nccc\trefs/heads/main\n";
        assert_eq!(pick_ref(listing, "v1").as_deref(), Some("bbb"));
        assert_eq!(pick_ref(listing, "main").as_deref(), Some("ccc"));
        assert_eq!(pick_ref("ddd\tHEAD\n", "HEAD").as_deref(), Some("ddd"));
        assert_eq!(pick_ref(listing, "nope"), None);
        assert!(is_commit_id(&"a".repeat(40)) && !is_commit_id("main"));
    }
}

//! The mailbox set: the union of the config's list, a file and a command's output.
//!
//! A source that fails (a file gone, a command exiting non-zero) keeps its last good answer:
//! a broken source never removes mailboxes.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::SystemTime;

use crate::config::Mailboxes;

/// Reads addresses, one per line; blank lines and `#` comments skipped, lower-cased.
pub fn parse_list(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The sources and their last good answers.
pub struct Sources {
    config: Mailboxes,
    from_list: BTreeSet<String>,
    from_file: BTreeSet<String>,
    file_mtime: Option<SystemTime>,
    from_command: BTreeSet<String>,
}

impl Sources {
    /// The sources of `config`; nothing read yet.
    pub fn new(config: Mailboxes) -> Self {
        let from_list = config
            .list
            .iter()
            .map(|s| s.trim().to_ascii_lowercase())
            .collect();
        Self {
            config,
            from_list,
            from_file: BTreeSet::new(),
            file_mtime: None,
            from_command: BTreeSet::new(),
        }
    }

    /// The current union.
    pub fn set(&self) -> BTreeSet<String> {
        self.from_list
            .iter()
            .chain(&self.from_file)
            .chain(&self.from_command)
            .cloned()
            .collect()
    }

    /// Re-reads the file when it changed (or always, with `force`). Returns whether it did.
    pub fn reload_file(&mut self, force: bool) -> bool {
        let Some(path) = self.config.file.clone() else {
            return false;
        };
        let mtime = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        if !force && mtime.is_some() && mtime == self.file_mtime {
            return false;
        }
        match read_file(&path) {
            Ok(set) => {
                self.from_file = set;
                self.file_mtime = mtime;
                true
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "mailbox file unreadable; keeping its last list");
                false
            }
        }
    }

    /// Runs the command (when there is one). Returns whether it answered.
    pub async fn run_command(&mut self) -> bool {
        let Some((program, args)) = self.config.command.split_first() else {
            return false;
        };
        let out = tokio::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output()
            .await;
        match out {
            Ok(o) if o.status.success() => {
                self.from_command = parse_list(&String::from_utf8_lossy(&o.stdout));
                true
            }
            Ok(o) => {
                tracing::warn!(program = %program, status = %o.status, stderr = %String::from_utf8_lossy(&o.stderr).trim(), "mailbox command failed; keeping its last list");
                false
            }
            Err(e) => {
                tracing::warn!(program = %program, error = %e, "mailbox command did not run; keeping its last list");
                false
            }
        }
    }

    /// Whether a command source is configured.
    pub fn has_command(&self) -> bool {
        !self.config.command.is_empty()
    }
}

fn read_file(path: &Path) -> std::io::Result<BTreeSet<String>> {
    Ok(parse_list(&std::fs::read_to_string(path)?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn list_skips_comments_and_blank_lines() {
        let s = parse_list("A@x.test\n\n# all rooms\nb@x.test  # second\n");
        assert_eq!(s.into_iter().collect::<Vec<_>>(), ["a@x.test", "b@x.test"]);
    }

    #[tokio::test]
    async fn union_of_sources_and_a_failing_source_keeps_its_list() {
        let dir = std::env::temp_dir().join(format!("ews-notify-mbx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("mailboxes.txt");
        std::fs::write(&file, "f@x.test\n").unwrap();
        let mut s = Sources::new(Mailboxes {
            list: vec!["l@x.test".into()],
            file: Some(file.clone()),
            command: vec!["sh".into(), "-c".into(), "echo c@x.test".into()],
            ..Mailboxes::default()
        });
        assert!(s.reload_file(false));
        assert!(s.run_command().await);
        assert_eq!(
            s.set().into_iter().collect::<Vec<_>>(),
            ["c@x.test", "f@x.test", "l@x.test"]
        );
        std::fs::remove_file(&file).unwrap();
        assert!(!s.reload_file(true), "a missing file is a failed read");
        assert!(s.set().contains("f@x.test"), "the last good list stays");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

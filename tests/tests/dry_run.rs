//! `--dry-run` on a real fleet: it changes nothing, lists per host every
//! change the plan would make (files with a unified diff), and the real run
//! after it makes exactly those changes; on a converged host it lists
//! nothing.

mod common;

use std::path::{Path, PathBuf};

use common::{Run, planrun, read, secure};
use planrun_tests::{Fleet, plan_path};

fn files(fleet: &Fleet, dir: &Path, extra: &[&str]) -> Run {
    let plan = plan_path("ops");
    let dir = format!("dir={}", dir.display());
    let mut args = vec![
        plan.to_str().unwrap(),
        "--hosts",
        "secure001-3",
        "--param",
        "scenario=files",
        "--param",
        &dir,
    ];
    args.extend_from_slice(extra);
    planrun(fleet, &args)
}

/// The changes listed for `host` under `label` (`WOULD` in a dry run,
/// `CHANGED` in a real one with `-v`), in order.
fn listed(out: &str, host: &str, label: &str) -> Vec<String> {
    let prefix = format!("[{host}]  {label:<8}  ");
    out.lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(str::to_string)
        .collect()
}

fn work_dir(fleet: &Fleet, hosts: &[String]) -> PathBuf {
    let dir = fleet.dir().join("work");
    for host in hosts {
        std::fs::create_dir_all(dir.join(host)).unwrap();
        std::fs::write(
            dir.join(host).join("settings.txt"),
            "name = x\n# workers = 1\nobsolete = yes\n",
        )
        .unwrap();
    }
    dir
}

#[test]
fn the_real_run_makes_exactly_the_changes_the_dry_run_listed() {
    let hosts = secure(3);
    let fleet = Fleet::builder().hosts(&hosts).start().unwrap();
    let dir = work_dir(&fleet, &hosts);

    let dry = files(&fleet, &dir, &["--dry-run"]);
    dry.expect_code(0);
    // Nothing changed on any host.
    for host in &hosts {
        assert!(
            !dir.join(host).join("app").exists(),
            "{host}: dry run created app/"
        );
        assert!(!dir.join(host).join("current").exists());
        assert_eq!(
            read(dir.join(host).join("settings.txt")),
            "name = x\n# workers = 1\nobsolete = yes\n"
        );
    }
    // Files come with their diff, new ones from /dev/null.
    dry.stdout_has("[secure002]  -# workers = 1");
    dry.stdout_has("[secure002]  +workers = 4");
    dry.stdout_has("[secure003]  --- /dev/null");
    dry.stdout_has("[secure003]  +port = 8080");
    dry.stdout_has("app.conf: would change");
    dry.stderr_has("24 would change, 3 unchanged");
    dry.stderr_has("would change secure[001-003]: 8 would change, 1 unchanged");

    let real = files(&fleet, &dir, &["-v"]);
    real.expect_code(0);
    for host in &hosts {
        let would = listed(&dry.stdout, host, "WOULD");
        assert_eq!(would.len(), 8, "{host}: {would:#?}");
        assert_eq!(listed(&real.stdout, host, "CHANGED"), would, "{host}");
    }
    real.stderr_has("24 changed, 3 unchanged");

    // Converged: a dry run lists nothing.
    let again = files(&fleet, &dir, &["--dry-run"]);
    again.expect_code(0);
    assert!(!again.stdout.contains("WOULD"), "{}", again.stdout);
    again.stderr_has("0 would change, 27 unchanged");

    // One input changes: the dry run shows just that, with its diff, and
    // the real run does just that.
    let dry = files(&fleet, &dir, &["--dry-run", "--param", "port=9090"]);
    dry.expect_code(0);
    for host in &hosts {
        let would = listed(&dry.stdout, host, "WOULD");
        let conf = dir.join(host).join("app/app.conf");
        assert_eq!(would, vec![format!("write {} (content)", conf.display())]);
        assert!(read(&conf).contains("port = 8080"));
    }
    dry.stdout_has("[secure001]  -port = 8080");
    dry.stdout_has("[secure001]  +port = 9090");
    let real = files(&fleet, &dir, &["-v", "--param", "port=9090"]);
    real.expect_code(0);
    for host in &hosts {
        assert_eq!(
            listed(&real.stdout, host, "CHANGED"),
            listed(&dry.stdout, host, "WOULD")
        );
        assert!(read(dir.join(host).join("app/app.conf")).contains("port = 9090"));
    }
}

//! Data-driven cases: config text + alias → expected HostConfig fields; and a
//! cross-check of the same cases against the real `ssh -G` when it is installed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

fn local() -> LocalEnv {
    LocalEnv {
        home: PathBuf::from("/home/op"),
        user: "op".into(),
        uid: 1000,
        hostname: "ctl.example.com".into(),
    }
}

fn resolve(text: &str, alias: &str) -> HostConfig {
    SshConfig::parse(text, Path::new("/home/op/.ssh/config"), local())
        .unwrap_or_else(|e| panic!("config should parse: {e}\n{text}"))
        .resolve(alias)
}

fn p(s: &str) -> PathBuf {
    PathBuf::from(s)
}

/// Expected fields; `None` leaves the field unchecked.
#[derive(Default)]
struct Want {
    hostname: Option<&'static str>,
    port: Option<u16>,
    user: Option<&'static str>,
    identity_files: Option<Vec<&'static str>>,
    identities_only: Option<bool>,
    identity_agent: Option<IdentityAgent>,
    connect_timeout: Option<Option<Duration>>,
    known_hosts: Option<Vec<&'static str>>,
    strict: Option<StrictHostKeyChecking>,
    proxy_jump: Option<Option<&'static str>>,
    host_key_alias: Option<Option<&'static str>>,
}

struct Case {
    name: &'static str,
    config: &'static str,
    alias: &'static str,
    want: Want,
}

const WEB: &str = "
# A comment, then options that apply to every host.
Host web*
    User deploy
    Port 2222
Host db? !db9
    User dba
Host *
    User nobody
    Port 22
    IdentityFile ~/.ssh/fleet
";

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "defaults",
            config: "",
            alias: "Box1",
            want: Want {
                hostname: Some("box1"),
                port: Some(22),
                user: Some("op"),
                identity_files: Some(vec![
                    "/home/op/.ssh/id_rsa",
                    "/home/op/.ssh/id_ecdsa",
                    "/home/op/.ssh/id_ed25519",
                ]),
                identities_only: Some(false),
                identity_agent: Some(IdentityAgent::FromEnv),
                connect_timeout: Some(None),
                known_hosts: Some(vec![
                    "/home/op/.ssh/known_hosts",
                    "/home/op/.ssh/known_hosts2",
                ]),
                strict: Some(StrictHostKeyChecking::Yes),
                proxy_jump: Some(None),
                host_key_alias: Some(None),
            },
        },
        Case {
            name: "star pattern, first value wins",
            config: WEB,
            alias: "web01",
            want: Want {
                user: Some("deploy"),
                port: Some(2222),
                identity_files: Some(vec!["/home/op/.ssh/fleet"]),
                ..Want::default()
            },
        },
        Case {
            name: "falls through to Host *",
            config: WEB,
            alias: "cache1",
            want: Want {
                user: Some("nobody"),
                port: Some(22),
                ..Want::default()
            },
        },
        Case {
            name: "question mark pattern",
            config: WEB,
            alias: "db1",
            want: Want {
                user: Some("dba"),
                ..Want::default()
            },
        },
        Case {
            name: "question mark matches exactly one character",
            config: WEB,
            alias: "db12",
            want: Want {
                user: Some("nobody"),
                ..Want::default()
            },
        },
        Case {
            name: "negated pattern vetoes the line",
            config: WEB,
            alias: "db9",
            want: Want {
                user: Some("nobody"),
                ..Want::default()
            },
        },
        Case {
            name: "several patterns on one line",
            config: "Host alpha beta gamma\n  HostName 10.0.0.7\n",
            alias: "beta",
            want: Want {
                hostname: Some("10.0.0.7"),
                ..Want::default()
            },
        },
        Case {
            name: "negation alone never matches",
            config: "Host !bastion\n  User x\n",
            alias: "web1",
            want: Want {
                user: Some("op"),
                ..Want::default()
            },
        },
        Case {
            name: "Host * !bastion",
            config: "Host * !bastion\n  ProxyJump bastion\n",
            alias: "bastion",
            want: Want {
                proxy_jump: Some(None),
                ..Want::default()
            },
        },
        Case {
            name: "keywords case-insensitive, Key=Value, quotes",
            config: "HOST=web1\n  hostNAME = 192.0.2.1\n  port=2200\n  USER \"deploy\"\n  \
                     IdentityFile \"/keys/with space/id\"\n  IdentityFile '/keys/second' # comment\n",
            alias: "web1",
            want: Want {
                hostname: Some("192.0.2.1"),
                port: Some(2200),
                user: Some("deploy"),
                identity_files: Some(vec!["/keys/with space/id", "/keys/second"]),
                ..Want::default()
            },
        },
        Case {
            name: "options before any Host apply to all hosts",
            config: "User early\nPort 2022\nHost web1\n  User late\n",
            alias: "web1",
            want: Want {
                user: Some("early"),
                port: Some(2022),
                ..Want::default()
            },
        },
        Case {
            name: "IdentityFile accumulates across blocks with tokens",
            config: "Host web1\n  IdentityFile ~/.ssh/%n_%r\n  User deploy\n  HostName 10.1.2.3\n  \
                     Port 2200\nHost *\n  IdentityFile %d/keys/%h-%p-%u-%i\n  \
                     IdentityFile /k/%l/%L/%%\n",
            alias: "web1",
            want: Want {
                identity_files: Some(vec![
                    "/home/op/.ssh/web1_deploy",
                    "/home/op/keys/10.1.2.3-2200-op-1000",
                    "/k/ctl.example.com/ctl/%",
                ]),
                ..Want::default()
            },
        },
        Case {
            name: "IdentityFile none suppresses defaults",
            config: "IdentityFile none\n",
            alias: "x",
            want: Want {
                identity_files: Some(vec![]),
                ..Want::default()
            },
        },
        Case {
            name: "HostName with %h",
            config: "Host *.short\n  HostName %h.example.com\nHost *\n  HostName %h.lan\n",
            alias: "Web1.short",
            want: Want {
                hostname: Some("web1.short.example.com"),
                ..Want::default()
            },
        },
        Case {
            name: "Match all",
            config: "Host web1\n  Port 2000\nMatch all\n  User everyone\n  Port 3000\n",
            alias: "web1",
            want: Want {
                user: Some("everyone"),
                port: Some(2000),
                ..Want::default()
            },
        },
        Case {
            name: "Match host sees the HostName obtained so far",
            config: "Host web1\n  HostName web1.dc1.example.com\nMatch host *.dc1.example.com\n  \
                     User dc1\nMatch host web1\n  User alias-not-used\n",
            alias: "web1",
            want: Want {
                hostname: Some("web1.dc1.example.com"),
                user: Some("dc1"),
                ..Want::default()
            },
        },
        Case {
            name: "Match host pattern list with negation",
            config: "Match host web*,!web2\n  User webs\nMatch all\n  User other\n",
            alias: "web2",
            want: Want {
                user: Some("other"),
                ..Want::default()
            },
        },
        Case {
            name: "Match originalhost and negated criteria",
            config: "Host web1\n  HostName 10.0.0.1\nMatch originalhost web1 !host 10.0.0.2\n  \
                     User orig\n",
            alias: "web1",
            want: Want {
                user: Some("orig"),
                ..Want::default()
            },
        },
        Case {
            name: "Match user and localuser",
            config: "Host web1\n  User deploy\nMatch user deploy localuser op\n  Port 2201\n",
            alias: "web1",
            want: Want {
                port: Some(2201),
                ..Want::default()
            },
        },
        Case {
            name: "Match exec block is skipped",
            config: "Match exec \"true\"\n  User execd\nMatch host * final\n  Port 1\n",
            alias: "web1",
            want: Want {
                user: Some("op"),
                port: Some(22),
                ..Want::default()
            },
        },
        Case {
            name: "Host after a skipped Match starts a new block",
            config: "Match exec \"true\"\n  User execd\nHost web1\n  User web\n",
            alias: "web1",
            want: Want {
                user: Some("web"),
                ..Want::default()
            },
        },
        Case {
            name: "connect timeout, known hosts list, strictness, alias, jump",
            config: "Host web1\n  ConnectTimeout 1m30s\n  UserKnownHostsFile ~/.ssh/kh_%h /abs/kh\n  \
                     StrictHostKeyChecking accept-new\n  HostKeyAlias web1-key\n  ProxyJump \
                     bastion.example.com\n  IdentitiesOnly yes\n",
            alias: "web1",
            want: Want {
                connect_timeout: Some(Some(Duration::from_secs(90))),
                known_hosts: Some(vec!["/home/op/.ssh/kh_web1", "/abs/kh"]),
                strict: Some(StrictHostKeyChecking::AcceptNew),
                host_key_alias: Some(Some("web1-key")),
                proxy_jump: Some(Some("bastion.example.com")),
                identities_only: Some(true),
                ..Want::default()
            },
        },
        Case {
            name: "IdentityAgent path with tokens",
            config: "Host a\n  IdentityAgent ~/.ssh/agent-%n.sock\n",
            alias: "a",
            want: Want {
                identity_agent: Some(IdentityAgent::Socket(p("/home/op/.ssh/agent-a.sock"))),
                ..Want::default()
            },
        },
        Case {
            name: "IdentityAgent none",
            config: "Host a\n  IdentityAgent none\n",
            alias: "a",
            want: Want {
                identity_agent: Some(IdentityAgent::Disabled),
                ..Want::default()
            },
        },
        Case {
            name: "IdentityAgent from another variable",
            config: "IdentityAgent $MY_SOCK\n",
            alias: "a",
            want: Want {
                identity_agent: Some(IdentityAgent::EnvVar("MY_SOCK".into())),
                ..Want::default()
            },
        },
        Case {
            name: "none values",
            config: "UserKnownHostsFile none\nConnectTimeout none\nProxyJump none\nProxyJump b\n",
            alias: "web1",
            want: Want {
                known_hosts: Some(vec![]),
                connect_timeout: Some(None),
                proxy_jump: Some(None),
                ..Want::default()
            },
        },
        Case {
            name: "StrictHostKeyChecking ask and no",
            config: "Host a\n  StrictHostKeyChecking ask\nHost b\n  StrictHostKeyChecking no\n",
            alias: "a",
            want: Want {
                strict: Some(StrictHostKeyChecking::Yes),
                ..Want::default()
            },
        },
        Case {
            name: "unhonoured options are ignored",
            config: "Host a\n  ForwardAgent yes\n  SendEnv LANG LC_*\n  ControlMaster auto\n  User u\n",
            alias: "a",
            want: Want {
                user: Some("u"),
                ..Want::default()
            },
        },
    ]
}

fn check(case: &Case, got: &HostConfig) {
    let w = &case.want;
    let ctx = format!("case {:?} (alias {})", case.name, case.alias);
    if let Some(v) = w.hostname {
        assert_eq!(got.hostname, v, "{ctx}: hostname");
    }
    if let Some(v) = w.port {
        assert_eq!(got.port, v, "{ctx}: port");
    }
    if let Some(v) = w.user {
        assert_eq!(got.user, v, "{ctx}: user");
    }
    if let Some(v) = &w.identity_files {
        let want: Vec<PathBuf> = v.iter().map(|s| p(s)).collect();
        assert_eq!(got.identity_files, want, "{ctx}: identity_files");
    }
    if let Some(v) = w.identities_only {
        assert_eq!(got.identities_only, v, "{ctx}: identities_only");
    }
    if let Some(v) = &w.identity_agent {
        assert_eq!(&got.identity_agent, v, "{ctx}: identity_agent");
    }
    if let Some(v) = w.connect_timeout {
        assert_eq!(got.connect_timeout, v, "{ctx}: connect_timeout");
    }
    if let Some(v) = &w.known_hosts {
        let want: Vec<PathBuf> = v.iter().map(|s| p(s)).collect();
        assert_eq!(
            got.user_known_hosts_files, want,
            "{ctx}: user_known_hosts_files"
        );
    }
    if let Some(v) = w.strict {
        assert_eq!(got.strict_host_key_checking, v, "{ctx}: strict");
    }
    if let Some(v) = w.proxy_jump {
        assert_eq!(got.proxy_jump.as_deref(), v, "{ctx}: proxy_jump");
    }
    if let Some(v) = w.host_key_alias {
        assert_eq!(got.host_key_alias.as_deref(), v, "{ctx}: host_key_alias");
    }
}

#[test]
fn data_driven_cases() {
    for case in cases() {
        let got = resolve(case.config, case.alias);
        assert_eq!(got.alias, case.alias);
        check(&case, &got);
    }
}

#[test]
fn skipped_match_is_noted() {
    let cfg = SshConfig::parse(
        "Match exec \"test -f /x\"\n  User u\n",
        Path::new("/cfg"),
        local(),
    )
    .unwrap();
    assert_eq!(cfg.notes().len(), 1);
    assert!(
        cfg.notes()[0].contains("/cfg:1: Match exec test -f /x is not supported"),
        "{:?}",
        cfg.notes()
    );
}

#[test]
fn names_for_known_hosts_and_messages() {
    let h = resolve(
        "Host a\n  HostName 127.0.1.5\n  Port 2222\n  User root\n",
        "a",
    );
    assert_eq!(h.known_hosts_name(), "[127.0.1.5]:2222");
    assert_eq!(h.target(), "root@127.0.1.5:2222");
    let h = resolve("Host a\n  HostName 127.0.1.5\n  User root\n", "a");
    assert_eq!(h.known_hosts_name(), "127.0.1.5");
    assert_eq!(h.target(), "root@127.0.1.5");
    let h = resolve("Host a\n  Port 2222\n  HostKeyAlias shared\n", "a");
    assert_eq!(h.known_hosts_name(), "shared");
}

#[test]
fn errors_name_file_and_line() {
    let cases = [
        ("Host a\n  Port abc\n", "/cfg:2: bad port \"abc\""),
        ("Host\n", "/cfg:1: Host needs at least one pattern"),
        ("IdentityFile ~/.ssh/%z\n", "/cfg:1: unknown token %z"),
        ("Match host\n", "/cfg:1: Match host needs an argument"),
        ("User \"open\n", "/cfg:1: unterminated \" quote"),
        ("User a b\n", "/cfg:1: user takes one value, got 2"),
        ("ConnectTimeout soon\n", "/cfg:1: bad ConnectTimeout"),
        (
            "StrictHostKeyChecking maybe\n",
            "/cfg:1: bad StrictHostKeyChecking",
        ),
        ("IdentitiesOnly sure\n", "/cfg:1: bad identitiesonly value"),
    ];
    for (text, want) in cases {
        let err = SshConfig::parse(text, Path::new("/cfg"), local()).unwrap_err();
        assert!(
            err.to_string().starts_with(want),
            "{text:?}: got {err}, want {want}"
        );
    }
}

#[test]
fn missing_dash_f_file_is_an_error_missing_default_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = SshConfig::load_with(Some(&missing), local()).unwrap_err();
    assert!(matches!(err, ConfigError::ConfigFileMissing { .. }));
    assert!(err.to_string().contains("does not exist (given with -F)"));
    let mut env = local();
    env.home = dir.path().to_owned();
    let cfg = SshConfig::load_with(None, env).unwrap();
    assert_eq!(cfg.resolve("x").port, 22);
}

#[test]
fn include_relative_glob_and_scope() {
    let home = tempfile::tempdir().unwrap();
    let ssh = home.path().join(".ssh");
    std::fs::create_dir_all(ssh.join("conf.d")).unwrap();
    std::fs::write(
        ssh.join("config"),
        "Include conf.d/*.conf\nHost web1\n  Include only-web1\nHost *\n  User fallback\n",
    )
    .unwrap();
    // Sorted glob order: 10 before 20; a Host inside an included file ends
    // with that file, so 20-all.conf's top lines apply to every host.
    std::fs::write(ssh.join("conf.d/10-web.conf"), "Host web*\n  Port 2010\n").unwrap();
    std::fs::write(ssh.join("conf.d/20-all.conf"), "ConnectTimeout 7\n").unwrap();
    std::fs::write(ssh.join("conf.d/.hidden.conf"), "User hidden\n").unwrap();
    std::fs::write(ssh.join("conf.d/ignored.txt"), "User txt\n").unwrap();
    std::fs::write(ssh.join("only-web1"), "HostName 10.9.9.9\n").unwrap();
    let mut env = local();
    env.home = home.path().to_owned();
    let cfg = SshConfig::load_with(None, env.clone()).unwrap();

    let web1 = cfg.resolve("web1");
    assert_eq!(web1.port, 2010);
    assert_eq!(web1.connect_timeout, Some(Duration::from_secs(7)));
    assert_eq!(web1.hostname, "10.9.9.9");
    assert_eq!(web1.user, "fallback");

    let db = cfg.resolve("db1");
    assert_eq!(db.port, 22);
    assert_eq!(db.connect_timeout, Some(Duration::from_secs(7)));
    assert_eq!(
        db.hostname, "db1",
        "Include inside Host web1 must not apply to db1"
    );

    // -F FILE: relative includes still resolve against ~/.ssh, as in ssh.
    let other = home.path().join("other.conf");
    std::fs::write(&other, "Include only-web1\n").unwrap();
    let cfg = SshConfig::load_with(Some(&other), env).unwrap();
    assert_eq!(cfg.resolve("x").hostname, "10.9.9.9");
}

#[test]
fn include_cycle_is_an_error() {
    let home = tempfile::tempdir().unwrap();
    let ssh = home.path().join(".ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    std::fs::write(ssh.join("config"), "Include config\n").unwrap();
    let mut env = local();
    env.home = home.path().to_owned();
    let err = SshConfig::load_with(None, env).unwrap_err();
    assert!(
        err.to_string().contains("Include nested more than 16 deep"),
        "{err}"
    );
}

/// Runs each case through the real `ssh -G` and compares the fields both
/// report. Skipped (with a message) when ssh is not installed.
#[test]
fn cross_check_with_openssh() {
    let Ok(env) = LocalEnv::current() else { return };
    let probe = std::process::Command::new("ssh").arg("-V").output();
    if probe.is_err() {
        eprintln!("ssh not installed: skipping the ssh -G cross-check");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (i, case) in cases().iter().enumerate() {
        // ssh runs `Match exec` and makes a final pass; we skip those blocks.
        if case.config.contains("exec") || case.config.contains("final") {
            continue;
        }
        let file = dir.path().join(format!("case{i}.conf"));
        std::fs::write(&file, case.config).unwrap();
        let out = std::process::Command::new("ssh")
            .args(["-G", "-F"])
            .arg(&file)
            .arg(case.alias)
            .env("HOME", &env.home)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ssh -G failed on {:?}: {}",
            case.name,
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let values = |key: &str| -> Vec<String> {
            text.lines()
                .filter_map(|l| l.split_once(' '))
                .filter(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.to_owned())
                .collect()
        };
        let one = |key: &str| values(key).into_iter().next();
        let ours = SshConfig::load_with(Some(&file), env.clone())
            .unwrap()
            .resolve(case.alias);
        let ctx = format!("case {:?}", case.name);
        assert_eq!(
            one("hostname").as_deref(),
            Some(ours.hostname.as_str()),
            "{ctx}: hostname"
        );
        assert_eq!(one("port"), Some(ours.port.to_string()), "{ctx}: port");
        assert_eq!(
            one("user").as_deref(),
            Some(ours.user.as_str()),
            "{ctx}: user"
        );
        assert_eq!(
            one("identitiesonly").as_deref() == Some("yes"),
            ours.identities_only,
            "{ctx}: identitiesonly"
        );
        let timeout = match ours.connect_timeout {
            Some(d) => d.as_secs().to_string(),
            None => "none".into(),
        };
        assert_eq!(
            one("connecttimeout"),
            Some(timeout),
            "{ctx}: connecttimeout"
        );
        let strict = match one("stricthostkeychecking").as_deref() {
            Some("true" | "ask") => StrictHostKeyChecking::Yes,
            Some("accept-new") => StrictHostKeyChecking::AcceptNew,
            Some("false") => StrictHostKeyChecking::No,
            other => panic!("{ctx}: unexpected stricthostkeychecking {other:?}"),
        };
        assert_eq!(
            strict, ours.strict_host_key_checking,
            "{ctx}: stricthostkeychecking"
        );
        assert_eq!(one("proxyjump"), ours.proxy_jump, "{ctx}: proxyjump");
        assert_eq!(
            one("hostkeyalias"),
            ours.host_key_alias,
            "{ctx}: hostkeyalias"
        );
        let known: Vec<PathBuf> = one("userknownhostsfile")
            .map(|v| {
                v.split(' ')
                    .filter(|s| !s.is_empty() && *s != "none")
                    .map(PathBuf::from)
                    .collect()
            })
            .unwrap_or_default();
        // ssh prints an empty list as nothing at all.
        assert_eq!(
            known, ours.user_known_hosts_files,
            "{ctx}: userknownhostsfile"
        );
        // ssh -G prints IdentityFile unexpanded and adds more defaults than
        // we try; compare configured, token-free lists only.
        let ids = values("identityfile");
        if !case.config.to_lowercase().contains("identityfile") || case.config.contains('%') {
            continue;
        }
        let ids: Vec<PathBuf> = ids
            .iter()
            .filter(|f| !f.eq_ignore_ascii_case("none"))
            .map(|f| PathBuf::from(tokens::expand_tilde(f, &env.home)))
            .collect();
        assert_eq!(ids, ours.identity_files, "{ctx}: identityfile");
    }
}

//! A plan for the end-to-end tests of operations: the `scenario` param
//! picks a group of operations; each host works in `<dir>/<host name>`, so
//! hosts sharing one filesystem (the test fleet) do not collide.

use planrun_sdk::ops::{self, context};
use planrun_sdk::{
    Error, Exec, Result, bail, exec, facts, param_or, print, require_param, step, this_host,
};

planrun_sdk::plan!(run);

const APP_CONF: &str =
    "# {{ host }}\nport = {{ port }}\n{% for peer in peers %}peer = {{ peer }}\n{% endfor %}";

fn run() -> Result<()> {
    let host = this_host();
    let dir = format!(
        "{}/{}",
        require_param("dir")?.trim_end_matches('/'),
        host.name
    );
    match require_param("scenario")?.as_str() {
        "files" => files(&dir),
        "git" => {
            ops::git(require_param("repo")?, format!("{dir}/src"))
                .revision(require_param("rev")?)
                .apply()?;
            Ok(())
        }
        "package" => {
            let package = ops::package(require_param("package")?);
            match require_param("state")?.as_str() {
                "present" => package.present()?,
                "absent" => package.absent()?,
                "latest" => package.latest()?,
                other => bail!("unknown package state `{other}`"),
            };
            Ok(())
        }
        "service" => {
            let conf = ops::file(format!("{dir}/app.conf"))
                .content(format!("port = {}\n", param_or("port", "80")))
                .apply()?;
            ops::service("app").restart_when([conf]).started()?;
            ops::service("app").enabled()?;
            ops::service("old").stopped()?;
            ops::service("old").disabled()?;
            Ok(())
        }
        "accounts" => {
            let name = require_param("account")?;
            ops::group(&name).system().present()?;
            ops::user(&name)
                .system()
                .group(&name)
                .shell("/bin/sh")
                .home(format!("{dir}/home"))
                .present()?;
            Ok(())
        }
        "accounts-absent" => {
            let name = require_param("account")?;
            ops::user(&name).absent()?;
            ops::group(&name).absent()?;
            Ok(())
        }
        "become" => become_user(&dir),
        "batch" => batch(),
        "bad-template" => {
            ops::file(format!("{dir}/bad.conf"))
                .template("port = {{ prot }}\n", context! { port => 80 })
                .apply()?;
            Ok(())
        }
        "invalidate" => invalidate(&dir),
        "sudo-password" => {
            match Exec::new("true").become_user("root").run() {
                Err(Error::Denied(why)) => step("DENIED", why),
                other => bail!("expected sudo to want a password, got {other:?}"),
            }
            match ops::file(format!("{dir}/x"))
                .content("x")
                .become_user("root")
                .apply()
            {
                Err(Error::Denied(why)) => step("DENIED", why),
                other => bail!("expected sudo to want a password, got {other:?}"),
            }
            Ok(())
        }
        other => bail!("unknown scenario `{other}`"),
    }
}

/// Every file-ish operation once, on a fresh or converged `dir`.
fn files(dir: &str) -> Result<()> {
    let host = this_host();
    ops::directory(format!("{dir}/app")).mode(0o750).apply()?;
    ops::file(format!("{dir}/app/app.conf"))
        .template(
            APP_CONF,
            context! { host => host.name, port => param_or("port", "8080"), peers => vec!["a", "b"] },
        )
        .mode(0o640)
        .apply()?;
    // settings.txt is seeded by the test.
    let settings = format!("{dir}/settings.txt");
    ops::line(&settings, "workers = 4")
        .matching(r"^#?\s*workers\s*=")
        .present()?;
    ops::line(&settings, "obsolete = yes").absent()?;
    ops::line(format!("{dir}/app/hosts"), "10.0.0.1 db").present()?;
    ops::symlink(format!("{dir}/current"), format!("{dir}/app")).apply()?;
    ops::command(format!(
        "touch {}",
        planrun_sdk::quote(&format!("{dir}/app/built"))
    ))
    .creates(format!("{dir}/app/built"))
    .run()?;
    let marker = planrun_sdk::quote(&format!("{dir}/app/marker"));
    ops::command(format!("echo once >> {marker}"))
        .unless(format!("test -s {marker}"))
        .run()?;
    ops::package("coreutils").present()?;
    Ok(())
}

/// Operations as another user: a directory that user owns, a file written
/// as that user, and commands run as that user.
fn become_user(dir: &str) -> Result<()> {
    let user = require_param("user")?;
    ops::directory(dir).mode(0o755).apply()?;
    ops::directory(format!("{dir}/owned"))
        .owner(&user)
        .mode(0o755)
        .apply()?;
    ops::file(format!("{dir}/owned/by-user.txt"))
        .content("written as another user\n")
        .become_user(&user)
        .apply()?;
    ops::line(format!("{dir}/owned/lines.txt"), "a line")
        .become_user(&user)
        .present()?;
    let whoami = Exec::new("id -un").become_user(&user).probe()?;
    step("WHOAMI", whoami.stdout_str().trim());
    ops::command(format!("touch {}/owned/ran", planrun_sdk::quote(dir)))
        .creates(format!("{dir}/owned/ran"))
        .become_user(&user)
        .run()?;
    Ok(())
}

/// A fact read after an exec that changed it answers anew.
fn invalidate(dir: &str) -> Result<()> {
    let path = format!("{dir}/grows.txt");
    exec(format!("mkdir -p {}", planrun_sdk::quote(dir)))?;
    let before = facts::stat(&path)?;
    exec(format!("printf 12345 > {}", planrun_sdk::quote(&path)))?;
    let after = facts::stat(&path)?;
    print(format!(
        "before exists={} after size={:?}",
        before.exists, after.size
    ));
    let both = facts::gather(["os.id", &format!("stat:{path}"), "command:sh", "user:root"])?;
    let stat: facts::Stat = both.get(&format!("stat:{path}"))?;
    let root: Option<facts::User> = both.get("user:root")?;
    print(format!(
        "batch os={} size={:?} sh={} root-uid={:?}",
        both.text("os.id")?,
        stat.size,
        both.text("command:sh")?,
        root.map(|r| r.uid)
    ));
    let pkg = facts::package("coreutils")?;
    print(format!(
        "coreutils installed={} manager={:?} cpus={} memory>0={}",
        pkg.installed,
        pkg.manager,
        facts::cpus()?,
        facts::memory()? > 0
    ));
    Ok(())
}

/// The same facts gathered in one command and then one by one: the answers
/// must agree; the times show what batching saves.
fn batch() -> Result<()> {
    let names = [
        "hostname",
        "os",
        "cpus",
        "users",
        "stat:/etc/hostname",
        "stat:/etc/passwd",
        "stat:/nonexistent",
        "package:coreutils",
        "command:sh",
        "command:no-such-command",
    ];
    // The connection's first command pays for warming it up: not a fact's cost.
    planrun_sdk::probe("true")?;
    let started = std::time::Instant::now();
    let gathered = facts::gather(names)?;
    let batched = started.elapsed();
    // Any exec drops the cache, so each fact below is gathered anew.
    exec("true")?;
    let started = std::time::Instant::now();
    for name in names {
        let one = planrun_sdk::fact(name)?;
        if one != gathered.text(name)? {
            bail!(
                "fact `{name}` differs: one by one {one:?}, batched {:?}",
                gathered.text(name)?
            );
        }
    }
    let single = started.elapsed();
    match facts::gather(["os", "disk:/", "kernel"]) {
        Err(Error::UnknownFact { name, known }) => {
            print(format!("unknown in a batch: {name}; {} known", known.len()))
        }
        other => bail!("expected an unknown fact, got {other:?}"),
    }
    print(format!(
        "{} facts agree; batched {:.1} ms, one by one {:.1} ms",
        names.len(),
        batched.as_secs_f64() * 1000.0,
        single.as_secs_f64() * 1000.0
    ));
    Ok(())
}

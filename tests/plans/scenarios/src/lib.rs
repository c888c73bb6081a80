//! A plan for the end-to-end tests: the `scenario` param picks what it does,
//! so one component covers the behaviours a test needs to provoke.

use planrun_sdk::{
    Error, Result, barrier, exec, fact, fleet, param, param_or, print, probe, read_to_string,
    require_param, step, this_host, write,
};

planrun_sdk::plan!(run);

fn run() -> Result<()> {
    let host = this_host();
    match require_param("scenario")?.as_str() {
        // Host 0 waits at `a`, the others at `b`: nobody can ever move.
        "deadlock" => {
            let name = if host.index == 0 { "a" } else { "b" };
            barrier(name)?;
            Ok(())
        }
        // Host 0 fails at once; the others must still get past the barrier.
        "fail-first" => {
            if host.index == 0 {
                planrun_sdk::bail!("host 0 gives up");
            }
            let outcome = barrier("after-failure")?;
            step("BARRIER", format!("gone: {}", outcome.gone.join(",")));
            Ok(())
        }
        // Host 0 panics; the others finish normally.
        "panic-first" => {
            if host.index == 0 {
                panic!("deliberate panic on {}", host.name);
            }
            step("OK", "still here");
            Ok(())
        }
        // WASI stdout/stderr land in the host's output.
        "stdout" => {
            println!("printed by {}", host.name);
            eprintln!("to stderr from {}", host.name);
            Ok(())
        }
        // Facts, probe, read, and a fact that changes after an exec.
        "facts" => {
            let dir = param_or("dir", "/tmp");
            step("FACT", format!("hostname={}", fact("hostname")?));
            step("FACT", format!("arch={}", fact("arch")?));
            let missing = probe(format!("test -e {dir}/nothing-here"))?;
            step("PROBE", format!("exists={}", missing.success()));
            exec(format!("echo {} > {dir}/{}.txt", host.name, host.name))?;
            let back = read_to_string(format!("{dir}/{}.txt", host.name))?;
            print(format!("read back {}", back.trim()));
            match fact("no-such-fact") {
                Err(Error::UnknownFact { known, .. }) => {
                    step("FACT", format!("unknown; known: {}", known.join(",")))
                }
                other => planrun_sdk::bail!("expected an unknown fact, got {other:?}"),
            }
            step("FLEET", format!("{} hosts", fleet().len()));
            Ok(())
        }
        // Every kind of call the run record keeps, and output a web page
        // must show as text. The host named by `fail` fails its last
        // command, until a marker file in its directory says it failed once
        // before (so `--retry-failed` can succeed).
        "record" => {
            let dir = format!("{}/{}", require_param("dir")?, host.name);
            step("PREP", format!("recording into {dir}"));
            exec(format!("mkdir -p {dir} && echo hello from {}", host.name))?;
            let change = write(format!("{dir}/note.txt"), format!("{}\n", host.name))?;
            step("NOTE", format!("note.txt {change}"));
            step("FACT", format!("hostname={}", fact("hostname")?));
            barrier("recorded")?;
            print("<script>document.title='pwned'</script><b>bold?</b>");
            if param("fail").as_deref() == Some(host.name.as_str()) {
                exec(format!(
                    "test -e {dir}/failed-once || {{ touch {dir}/failed-once; echo boom >&2; exit 3; }}"
                ))?;
            }
            step("DONE", "all recorded");
            Ok(())
        }
        // `n` steps of one command each: a workload for measuring the
        // cost of recording.
        "steps" => {
            let n: u32 = param_or("n", "10").parse().unwrap_or(10);
            for i in 1..=n {
                let out = exec(format!("echo step {i} on {}", host.name))?;
                step("STEP", format!("{i}/{n}: {}", out.stdout_str().trim()));
            }
            Ok(())
        }
        // Sits in a long command, for the tests that interrupt or kill planrun.
        "sleep" => {
            step("SLEEPING", "for a while");
            exec(format!("sleep {}", param_or("secs", "30")))?;
            Ok(())
        }
        other => planrun_sdk::bail!("unknown scenario `{other}`"),
    }
}

//! A plan built against `planrun:plan@0.1.0` (the `log` interface as it was
//! then, before `unchanged`): planrun 0.1.1 must run it, since a patch
//! version only adds.

wit_bindgen::generate!({
    inline: "
        package planrun:plan@0.1.0;

        interface log {
            step: func(label: string, message: string);
            warn: func(message: string);
            debug: func(message: string);
            print: func(text: string);
        }

        world plan {
            import log;
            export run: func() -> result<_, string>;
        }
    ",
    world: "plan",
});

struct OldApi;

impl Guest for OldApi {
    fn run() -> Result<(), String> {
        planrun::plan::log::step("OLD", "a 0.1.0 plan runs");
        Ok(())
    }
}

export!(OldApi);

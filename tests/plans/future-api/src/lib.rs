//! A plan built against `planrun:plan@0.2.0`, a version of the API this
//! planrun (0.1) does not serve: planrun must refuse it, naming the import,
//! before any host is touched.

wit_bindgen::generate!({
    inline: "
        package planrun:plan@0.2.0;

        interface log {
            step: func(label: string, message: string);
        }

        world plan {
            import log;
            export run: func() -> result<_, string>;
        }
    ",
    world: "plan",
});

struct FutureApi;

impl Guest for FutureApi {
    fn run() -> Result<(), String> {
        planrun::plan::log::step("FUTURE", "running on an API from the future");
        Ok(())
    }
}

export!(FutureApi);

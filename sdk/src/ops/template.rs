//! Templates: Jinja syntax rendered in the plan by minijinja (compiled into
//! the plan, no filesystem, no network), for [`File::template`](super::File::template).

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::error::{Error, Result};

/// Renders `source` (Jinja syntax: `{{ var }}`, `{% for %}`, `{% if %}`,
/// filters) with `context`. A variable the context lacks is an error, not
/// an empty string: a config file with a hole in it is worse than none.
///
/// ```no_run
/// use planrun_sdk::ops::{self, context};
///
/// # fn main() -> planrun_sdk::Result<()> {
/// let text = ops::template(
///     "upstream app {\n{% for b in backends %}  server {{ b }};\n{% endfor %}}\n",
///     context! { backends => vec!["10.0.0.1:80", "10.0.0.2:80"] },
/// )?;
/// # Ok(())
/// # }
/// ```
pub fn template(source: &str, context: impl Serialize) -> Result<String> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Config files end with a newline; Jinja's default would drop it.
    env.set_keep_trailing_newline(true);
    env.render_str(source, context)
        .map_err(|e| Error::Plan(format!("cannot render template: {}", describe(&e))))
}

/// minijinja's error with its line and the reason it gives, on one line.
fn describe(error: &minijinja::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    #[test]
    fn renders_loops_and_keeps_the_last_newline() {
        let text = template(
            "{% for n in names %}{{ n|upper }}\n{% endfor %}",
            context! { names => vec!["a", "b"] },
        )
        .unwrap();
        assert_eq!(text, "A\nB\n");
    }

    #[test]
    fn a_missing_variable_is_an_error() {
        let error = template("port = {{ port }}\n", context! {}).unwrap_err();
        assert!(error.to_string().contains("undefined"), "{error}");
    }
}

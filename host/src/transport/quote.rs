//! Quoting for the remote shell. SSH carries one command string, not an
//! argv: the remote user's shell parses it, so every argument built from
//! data must be quoted.

/// Quotes `s` as one POSIX shell word. Words made only of characters no
/// shell treats specially are returned as they are (readable logs);
/// everything else is single-quoted, with `'` written as `'\''`.
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./:@%+,".contains(&b));
    if plain {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn quotes() {
        let cases = [
            ("", "''"),
            ("plain-word_1.2/x:y@z%+,", "plain-word_1.2/x:y@z%+,"),
            ("two words", "'two words'"),
            ("it's", "'it'\\''s'"),
            ("$HOME", "'$HOME'"),
            ("a;b", "'a;b'"),
            ("FOO=bar", "'FOO=bar'"),
            ("~root", "'~root'"),
            ("*", "'*'"),
            ("new\nline", "'new\nline'"),
            ("`x`", "'`x`'"),
            ("ünï", "'ünï'"),
        ];
        for (input, want) in cases {
            assert_eq!(shell_quote(input), want, "{input:?}");
        }
    }

    /// What sh actually makes of the quoted words.
    #[test]
    fn sh_round_trip() {
        let words = ["", "it's", "$(echo no)", "a b\tc", "'\"\\", "x\ny", "-n"];
        let line: Vec<String> = words.iter().map(|w| shell_quote(w)).collect();
        let script = format!(
            "for a in {}; do printf '%s\\0' \"$a\"; done",
            line.join(" ")
        );
        let Ok(out) = std::process::Command::new("sh")
            .arg("-c")
            .arg(&script)
            .output()
        else {
            return;
        };
        let got: Vec<String> = out
            .stdout
            .split(|b| *b == 0)
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect();
        let mut want: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        want.push(String::new()); // after the last NUL
        assert_eq!(got, want);
    }
}

//! OpenSSH host patterns, as its `match.c` implements them: `*` and `?`
//! wildcards, and comma-separated pattern lists where a `!pattern` that
//! matches vetoes the whole list. Shared by ssh_config (`Host`, `Match host`)
//! and known_hosts host fields, so both read patterns the same way.

/// Whether `s` matches the wildcard `pattern` (`*` any run of characters,
/// `?` exactly one). Case-sensitive; callers lowercase host names first.
pub(crate) fn wildcard_match(s: &str, pattern: &str) -> bool {
    // Iterative matcher with single-star backtracking: linear-ish and never
    // recursive, so a hostile pattern cannot blow the stack.
    let s: Vec<char> = s.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    let (mut si, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, si));
                pi += 1;
            }
            Some(&c) if c == '?' || c == s[si] => {
                si += 1;
                pi += 1;
            }
            _ => match star {
                Some((star_pi, star_si)) => {
                    pi = star_pi + 1;
                    si = star_si + 1;
                    star = Some((star_pi, star_si + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Outcome of matching a name against a pattern list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListMatch {
    /// No pattern matched.
    None,
    /// A positive pattern matched and no negated one did.
    Positive,
    /// A `!pattern` matched: the list rejects the name whatever else matched.
    Negated,
}

/// Matches `name` against a comma-separated pattern list, case-insensitively
/// (OpenSSH's `match_hostname`).
pub(crate) fn match_list(name: &str, list: &str) -> ListMatch {
    let name = name.to_lowercase();
    let mut positive = false;
    for pattern in list.split(',') {
        let (negated, pattern) = match pattern.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, pattern),
        };
        if wildcard_match(&name, &pattern.to_lowercase()) {
            if negated {
                return ListMatch::Negated;
            }
            positive = true;
        }
    }
    if positive {
        ListMatch::Positive
    } else {
        ListMatch::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        let cases = [
            ("web01", "web01", true),
            ("web01", "web*", true),
            ("web01", "*", true),
            ("", "*", true),
            ("", "", true),
            ("web01", "web0?", true),
            ("web1", "web0?", false),
            ("web01.example.com", "*.example.com", true),
            ("example.com", "*.example.com", false),
            ("aXbXc", "a*b*c", true),
            ("aXbX", "a*b*c", false),
            ("abcabd", "*abd", true),
            ("x", "??", false),
            ("[10.0.0.1]:2222", "[10.0.0.*]:2222", true),
            ("[10.0.0.1]:22", "[10.0.0.*]:2222", false),
        ];
        for (s, p, want) in cases {
            assert_eq!(wildcard_match(s, p), want, "{s:?} against {p:?}");
        }
    }

    #[test]
    fn lists() {
        assert_eq!(match_list("web01", "db*,web*"), ListMatch::Positive);
        assert_eq!(match_list("WEB01", "web*"), ListMatch::Positive);
        assert_eq!(match_list("web01", "web*,!web01"), ListMatch::Negated);
        assert_eq!(match_list("web02", "web*,!web01"), ListMatch::Positive);
        assert_eq!(match_list("db1", "web*,!web01"), ListMatch::None);
        assert_eq!(match_list("web01", "!web01"), ListMatch::Negated);
    }
}

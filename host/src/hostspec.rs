//! Host specs: the `--hosts` mini-language, and its inverse for output.
//!
//! `secure001-4` → secure001 … secure004 (the width of the first number is
//! kept), `web[01-12]` and `web[1,3,5-7]` as ClusterShell and pdsh write them,
//! `a,b,c`, and any combination of those separated by commas. [`fold`] turns a
//! list of names back into the compact form (`secure[001-003,007]`).

use std::collections::HashSet;
use std::fmt;

/// Hosts past this count in one spec are almost certainly a typo (`web1-100000`).
const MAX_HOSTS: usize = 100_000;

/// A spec that could not be read, with the part that was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub spec: String,
    pub part: String,
    pub reason: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bad host spec `{}`: `{}` {}; expected forms are `web01-12`, `web[01-12]`, `a,b,c`",
            self.spec, self.part, self.reason
        )
    }
}

impl std::error::Error for SpecError {}

/// Expands a host spec into host names, in order, without duplicates.
pub fn expand(spec: &str) -> Result<Vec<String>, SpecError> {
    let err = |part: &str, reason: &str| SpecError {
        spec: spec.to_string(),
        part: part.to_string(),
        reason: reason.to_string(),
    };
    let mut names = Vec::new();
    let mut seen = HashSet::new();
    for part in split_top_level(spec).map_err(|reason| err(spec, &reason))? {
        let part = part.trim();
        if part.is_empty() {
            return Err(err(spec, "has an empty host name (two commas in a row?)"));
        }
        for name in expand_part(part).map_err(|reason| err(part, &reason))? {
            if seen.insert(name.clone()) {
                names.push(name);
            }
            if names.len() > MAX_HOSTS {
                return Err(err(part, &format!("expands past {MAX_HOSTS} hosts")));
            }
        }
    }
    if names.is_empty() {
        return Err(err(spec, "names no hosts"));
    }
    Ok(names)
}

/// Splits on commas that are not inside brackets.
fn split_top_level(spec: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in spec.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.checked_sub(1).ok_or("has a `]` without its `[`")?,
            ',' if depth == 0 => {
                parts.push(&spec[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err("has a `[` that is never closed".into());
    }
    parts.push(&spec[start..]);
    Ok(parts)
}

/// Expands one comma-free part: `web[01-03]x`, `secure001-4`, or a plain name.
fn expand_part(part: &str) -> Result<Vec<String>, String> {
    if let Some(open) = part.find('[') {
        let close = open
            + part[open..]
                .find(']')
                .ok_or("has a `[` that is never closed")?;
        let (prefix, inner, rest) = (&part[..open], &part[open + 1..close], &part[close + 1..]);
        if inner.is_empty() {
            return Err("has an empty `[]`".into());
        }
        let mut out = Vec::new();
        for item in inner.split(',') {
            for middle in expand_range(item.trim(), item.trim())? {
                for tail in expand_part(rest)? {
                    out.push(format!("{prefix}{middle}{tail}"));
                }
            }
        }
        return Ok(out);
    }
    if part.contains(']') {
        return Err("has a `]` without its `[`".into());
    }
    check_name(part)?;
    // `secure001-4`: a trailing `DIGITS-DIGITS` is a range. Host names may
    // contain dashes (`db-a`, `web-01`), so only digits on both sides count.
    if let Some((head, to)) = part.rsplit_once('-') {
        let from_len = head.bytes().rev().take_while(u8::is_ascii_digit).count();
        if from_len > 0 && !to.is_empty() && to.bytes().all(|b| b.is_ascii_digit()) {
            let (prefix, from) = head.split_at(head.len() - from_len);
            return Ok(expand_range(&format!("{from}-{to}"), part)?
                .into_iter()
                .map(|n| format!("{prefix}{n}"))
                .collect());
        }
    }
    Ok(vec![part.to_string()])
}

/// Expands `01-12` (width of the first bound kept) or a single `7`.
fn expand_range(item: &str, context: &str) -> Result<Vec<String>, String> {
    let Some((from, to)) = item.split_once('-') else {
        if item.is_empty() || !item.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!("has `{item}` where a number or range belongs"));
        }
        return Ok(vec![item.to_string()]);
    };
    let number = |s: &str| -> Result<u64, String> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 18 {
            return Err(format!("has `{item}`, which is not a range of numbers"));
        }
        Ok(s.parse().expect("checked digits"))
    };
    let (lo, hi) = (number(from)?, number(to)?);
    if hi < lo {
        return Err(format!("has a range that runs backwards ({context})"));
    }
    if hi - lo >= MAX_HOSTS as u64 {
        return Err(format!("expands past {MAX_HOSTS} hosts"));
    }
    let width = if from.len() > 1 && from.starts_with('0') {
        from.len()
    } else {
        // `secure001-4`: the upper bound is written short; keep the lower's width.
        from.len().max(1)
    };
    Ok((lo..=hi).map(|n| format!("{n:0width$}")).collect())
}

fn check_name(name: &str) -> Result<(), String> {
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '@' | ':')))
    {
        Some(c) => Err(format!("contains `{c}`, which cannot be in a host name")),
        None => Ok(()),
    }
}

/// Folds host names into the compact form: `secure[001-003,007],db1`.
///
/// Names that share a prefix and differ only in a trailing number of the same
/// width are folded; everything else is listed as is, in first-seen order.
pub fn fold<S: AsRef<str>>(names: &[S]) -> String {
    // (prefix, width) → numbers, in first-seen order of the group.
    let mut groups: Vec<(String, usize, Vec<u64>)> = Vec::new();
    let mut plain: Vec<(usize, String)> = Vec::new();
    let mut order: Vec<(bool, usize)> = Vec::new();
    for name in names {
        let name = name.as_ref();
        let digits = name.bytes().rev().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 18 {
            order.push((false, plain.len()));
            plain.push((0, name.to_string()));
            continue;
        }
        let (prefix, num) = name.split_at(name.len() - digits);
        let n: u64 = num.parse().expect("digits");
        match groups
            .iter_mut()
            .position(|(p, w, _)| p == prefix && *w == digits)
        {
            Some(i) => groups[i].2.push(n),
            None => {
                order.push((true, groups.len()));
                groups.push((prefix.to_string(), digits, vec![n]));
            }
        }
    }
    let mut out = Vec::new();
    for (is_group, i) in order {
        if !is_group {
            out.push(plain[i].1.clone());
            continue;
        }
        let (prefix, width, numbers) = &mut groups[i];
        numbers.sort_unstable();
        numbers.dedup();
        if numbers.len() == 1 {
            out.push(format!("{prefix}{:0width$}", numbers[0], width = *width));
            continue;
        }
        let mut ranges = Vec::new();
        let mut start = numbers[0];
        let mut prev = start;
        for &n in numbers[1..].iter().chain(std::iter::once(&u64::MAX)) {
            if n != prev + 1 || n == u64::MAX {
                ranges.push(if start == prev {
                    format!("{start:0width$}", width = *width)
                } else {
                    format!("{start:0width$}-{prev:0width$}", width = *width)
                });
                start = n;
            }
            prev = n;
        }
        out.push(format!("{prefix}[{}]", ranges.join(",")));
    }
    out.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(spec: &str) -> Vec<String> {
        expand(spec).unwrap_or_else(|e| panic!("{spec}: {e}"))
    }

    #[test]
    fn expands_the_forms_operators_write() {
        let cases: &[(&str, &[&str])] = &[
            (
                "secure001-4",
                &["secure001", "secure002", "secure003", "secure004"],
            ),
            ("web1-3", &["web1", "web2", "web3"]),
            ("web8-11", &["web8", "web9", "web10", "web11"]),
            ("web[01-03]", &["web01", "web02", "web03"]),
            ("web[1,3,5-6]", &["web1", "web3", "web5", "web6"]),
            ("a,b,c", &["a", "b", "c"]),
            ("db-a,db-b", &["db-a", "db-b"]),
            ("web-01", &["web-01"]),
            ("host1.example.com", &["host1.example.com"]),
            (
                "rack[1-2]-node[1-2]",
                &["rack1-node1", "rack1-node2", "rack2-node1", "rack2-node2"],
            ),
            (
                "web[01-02],db1-2,lb",
                &["web01", "web02", "db1", "db2", "lb"],
            ),
            ("a,a,b", &["a", "b"]),
        ];
        for (spec, want) in cases {
            assert_eq!(names(spec), *want, "{spec}");
        }
        assert_eq!(names("web1-12").len(), 12);
        assert_eq!(names("web1-12")[11], "web12");
    }

    #[test]
    fn bad_specs_name_the_bad_part() {
        let cases = [
            ("web[01-03", "never closed"),
            ("web01-03]", "without its `[`"),
            ("web5-1", "backwards"),
            ("web[a-c]", "not a range"),
            ("a,,b", "empty host name"),
            ("web$1", "cannot be in a host name"),
            ("web[]", "empty `[]`"),
            ("web1-1000000", "past"),
            ("", "empty host name"),
        ];
        for (spec, want) in cases {
            let err = expand(spec).expect_err(spec).to_string();
            assert!(err.contains(want), "{spec}: {err}");
            assert!(err.starts_with(&format!("bad host spec `{spec}`")), "{err}");
        }
    }

    #[test]
    fn fold_inverts_expand() {
        let cases = [
            ("secure[001-003,007]", "secure[001-003,007]"),
            ("secure001-4", "secure[001-004]"),
            ("web1,db1,web2", "web[1-2],db1"),
            ("lb", "lb"),
            ("web7", "web7"),
            ("web[1-3],web[01-02]", "web[1-3],web[01-02]"),
        ];
        for (spec, want) in cases {
            assert_eq!(fold(&names(spec)), want, "{spec}");
        }
    }
}

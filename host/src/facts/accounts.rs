//! `users`, `groups`, `user:NAME` and `group:NAME`: the host's passwd and
//! group databases (through `getent`, so LDAP/NSS users count too).

use serde_json::{Value, json};

/// The separator between the passwd and the group listing.
const GROUPS: &str = "@@groups";

pub const COMMAND: &str = "getent passwd 2>/dev/null || cat /etc/passwd; \
    echo '@@groups'; getent group 2>/dev/null || cat /etc/group";

/// `{"users": [...], "groups": [...]}`; each user carries its primary
/// group's name and every group it belongs to.
pub fn parse(output: &str) -> Result<Value, String> {
    let (passwd, group) = output
        .split_once(&format!("{GROUPS}\n"))
        .or_else(|| output.split_once(GROUPS))
        .ok_or("the users and groups listing is cut short")?;
    let groups: Vec<(String, u64, Vec<String>)> = group
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.trim().split(':').collect();
            let [name, _, gid, members] = f[..] else {
                return None;
            };
            let members = members
                .split(',')
                .filter(|m| !m.is_empty())
                .map(str::to_string)
                .collect();
            Some((name.to_string(), gid.parse().ok()?, members))
        })
        .collect();
    let users: Vec<Value> = passwd
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.trim().split(':').collect();
            let [name, _, uid, gid, _, home, shell] = f[..] else {
                return None;
            };
            let (uid, gid): (u64, u64) = (uid.parse().ok()?, gid.parse().ok()?);
            let primary = groups.iter().find(|(_, g, _)| *g == gid).map(|g| &g.0);
            let mut member_of: Vec<&String> = primary.into_iter().collect();
            for (group, _, members) in &groups {
                if members.iter().any(|m| m == name) && !member_of.contains(&group) {
                    member_of.push(group);
                }
            }
            Some(json!({
                "name": name, "uid": uid, "gid": gid, "group": primary,
                "groups": member_of, "home": home, "shell": shell,
            }))
        })
        .collect();
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(name, gid, members)| json!({"name": name, "gid": gid, "members": members}))
        .collect();
    Ok(json!({"users": users, "groups": groups}))
}

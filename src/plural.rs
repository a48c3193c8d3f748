//! Counted nouns: "1 region", "2 regions". Every count that messages and the packet print
//! goes through [`count`] or [`pick`]; templates reach the same rule through the `plural`
//! filter (registered with the other filters in `packet`).

/// `n` followed by the noun in the number `n` takes: `count(1, "region", "regions")` is
/// "1 region", `count(0, …)` "0 regions".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", pick(n, one, many))
}

/// The word that agrees with `n`: `one` for exactly 1, `many` otherwise ("is"/"are",
/// "qualifies"/"qualify").
pub fn pick<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_everything_else_plural() {
        assert_eq!(count(1, "region", "regions"), "1 region");
        assert_eq!(count(0, "region", "regions"), "0 regions");
        assert_eq!(count(2, "region", "regions"), "2 regions");
        assert_eq!(count(21, "entry", "entries"), "21 entries");
        assert_eq!(pick(1, "is", "are"), "is");
        assert_eq!(pick(3, "is", "are"), "are");
    }
}

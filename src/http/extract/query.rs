//! Query strings, read as `form_urlencoded` reads them, without its cost when there is nothing
//! to decode: every API request's query is read at least once.

/// Calls `read` with each name and value of a query string, decoded as `form_urlencoded` decodes
/// them.
pub fn for_each_pair(query_string: &str, mut read: impl FnMut(&str, &str)) {
    if query_string.bytes().any(|byte| matches!(byte, b'%' | b'+')) {
        for (name, value) in form_urlencoded::parse(query_string.as_bytes()) {
            read(&name, &value);
        }
    } else {
        // Nothing to decode: the pairs are the text itself, split as `form_urlencoded` splits.
        for pair in query_string.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            read(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_without_escapes_are_split_as_form_urlencoded_splits_them() {
        for query in [
            "",
            "user_id=user_1&limit=10",
            "&&a=b&=x&c&d==e&&",
            "a=&=&==",
            "status=active&status=revoked",
            "x=%41+b&y=c",
        ] {
            let mut ours = Vec::new();
            for_each_pair(query, |name, value| {
                ours.push((name.to_owned(), value.to_owned()));
            });
            let theirs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect();
            assert_eq!(ours, theirs, "{query}");
        }
    }
}

//! What the page's address asks for: embed mode, read-only, the origins an
//! embedding page may send designs from, and a design link in the hash.

/// Options read from `location.search` and `location.hash`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageOptions {
    /// `?embed=1`: the compact layout for an iframe.
    pub embed: bool,
    /// `?readonly=1`: show the design, refuse edits.
    pub readonly: bool,
    /// `?allow=https://a.example,https://b.example`: origins whose
    /// `load-design` messages are accepted, and where events are posted.
    pub allowed_origins: Vec<String>,
    /// Values of `?allow=` that are not origins. Any of them makes the
    /// embed fail closed: it posts nothing and accepts nothing, and says
    /// why (a typo must not send the learner's design to every page).
    pub allow_errors: Vec<BadOrigin>,
    /// The hash without its `#`, when it holds something.
    pub hash: Option<String>,
    /// `?slot=NAME`: the embed's own autosave slot (two embeds of the same
    /// design on one page give each a name).
    pub slot: Option<String>,
}

/// The pairs of a query string (`?a=1&b=2`), in order, each value
/// percent-decoded (a key without `=` has an empty value).
pub fn query_pairs(search: &str) -> impl Iterator<Item = (&str, String)> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key, percent_decode(value))
        })
}

impl PageOptions {
    /// Reads the options of the current page.
    pub fn from_location() -> Self {
        let location = web_sys::window().map(|w| w.location());
        let search = location
            .as_ref()
            .and_then(|l| l.search().ok())
            .unwrap_or_default();
        let hash = location
            .as_ref()
            .and_then(|l| l.hash().ok())
            .unwrap_or_default();
        Self::parse(&search, &hash)
    }

    /// Reads options from a query string (`?a=1&b=2`) and a hash (`#…`).
    pub fn parse(search: &str, hash: &str) -> Self {
        let mut options = PageOptions::default();
        for (key, value) in query_pairs(search) {
            match key {
                "embed" => options.embed = is_on(&value),
                "readonly" => options.readonly = is_on(&value),
                "slot" if !value.trim().is_empty() => options.slot = Some(value.trim().to_string()),
                "allow" => {
                    for item in value.split(',') {
                        match parse_origin(item) {
                            Ok(origin) => options.allowed_origins.push(origin),
                            Err(bad) => options.allow_errors.push(bad),
                        }
                    }
                }
                _ => {}
            }
        }
        let hash = hash.trim_start_matches('#').trim();
        if !hash.is_empty() {
            options.hash = Some(hash.to_string());
        }
        options
    }

    /// Whether messages from `origin` may load a design (never while
    /// `?allow=` has a value that is not an origin).
    pub fn allows(&self, origin: &str) -> bool {
        self.allow_errors.is_empty() && self.allowed_origins.iter().any(|o| o == origin)
    }

    /// Where the playground's messages go: nowhere while `?allow=` is
    /// malformed; each allowed origin (the browser delivers a message only
    /// if the parent is at that origin); any origin (`"*"`) when none is
    /// listed (the messages hold the design and its grade, nothing
    /// private).
    pub fn post_targets(&self) -> Vec<&str> {
        if !self.allow_errors.is_empty() {
            Vec::new()
        } else if self.allowed_origins.is_empty() {
            vec!["*"]
        } else {
            self.allowed_origins.iter().map(String::as_str).collect()
        }
    }
}

/// A value of `?allow=` that is not an origin, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct BadOrigin {
    /// The value as written.
    pub value: String,
    /// Why it is refused, in words.
    pub reason: &'static str,
}

impl std::fmt::Display for BadOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "“{}” {}", self.value, self.reason)
    }
}

/// Reads one origin of `?allow=`: `https://` or `http://` in lower case,
/// then a lower-case host (letters, digits, dots, hyphens, or an IPv6
/// address in brackets) and an optional port; a single trailing `/` is
/// tolerated. Anything else — a wildcard, `null`, a path, a capital
/// letter (origins are lower case, and `event.origin` would never match)
/// — is refused with the reason.
pub fn parse_origin(value: &str) -> Result<String, BadOrigin> {
    let bad = |reason| BadOrigin {
        value: value.to_string(),
        reason,
    };
    let v = value.trim();
    let v = v.strip_suffix('/').unwrap_or(v);
    if v.is_empty() {
        return Err(bad("is empty: list origins separated by commas"));
    }
    if v == "*" {
        return Err(bad("is a wildcard: it would send the learner's design to any page; list the course page's origin, e.g. https://course.example.org"));
    }
    if v.eq_ignore_ascii_case("null") {
        return Err(bad("is the opaque origin of a file or sandboxed page, which cannot be told apart from any other; serve the course page from https://"));
    }
    let Some(rest) = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
    else {
        let lower = v.to_ascii_lowercase();
        return Err(
            if lower.starts_with("https://") || lower.starts_with("http://") {
                bad("has a scheme in capitals: write it in lower case (https://…)")
            } else {
                bad("is not an origin: it must start with https:// (or http://) and name a host, e.g. https://course.example.org")
            },
        );
    };
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, _)) if !h.ends_with(']') && h.contains(':') => (rest, None),
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    if host.is_empty() {
        return Err(bad("names no host"));
    }
    if rest.contains(['/', '?', '#', '@', ' ', '\\']) {
        return Err(bad("has more than an origin (a path, query, user or space): give only the scheme, host and port"));
    }
    let ipv6 = host.starts_with('[') && host.ends_with(']');
    if ipv6 {
        let inner = &host[1..host.len() - 1];
        if inner.is_empty()
            || !inner
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, 'a'..='f' | ':' | '.'))
        {
            return Err(bad(
                "has an IPv6 address that is not lower-case hexadecimal and colons",
            ));
        }
    } else {
        if host
            .split('.')
            .any(|label| label.is_empty() || label.starts_with('-') || label.ends_with('-'))
        {
            return Err(bad(
                "has an empty host label, or one that starts or ends with a hyphen",
            ));
        }
        if host.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(bad("has capitals in its host: origins are lower case"));
        }
        if !host
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        {
            return Err(bad("has a character a host name cannot have"));
        }
    }
    if let Some(p) = port {
        if p.is_empty()
            || !p.chars().all(|c| c.is_ascii_digit())
            || p.starts_with('0')
            || p.parse::<u32>().map_or(true, |n| n > 65_535)
        {
            return Err(bad(
                "has a port that is not a number from 1 to 65535 written without leading zeros",
            ));
        }
        // Browsers drop a scheme's default port from an origin, so a
        // message from that page would never match.
        let default = if v.starts_with("https://") {
            "443"
        } else {
            "80"
        };
        if p == default {
            return Err(bad("names its scheme's default port: leave the port out"));
        }
    }
    Ok(v.to_string())
}

fn is_on(value: &str) -> bool {
    matches!(value, "" | "1" | "true" | "yes" | "on")
}

/// Decodes `%XX` escapes and `+` (space) of a query value; a bad escape is
/// kept as it is.
fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[i], escaped) {
            (_, Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (byte, None) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

//! Share links (`design::share`): exact round trips, the size budget
//! (the budget: a 12-node design in at most 300 characters), pinned
//! golden `d1` links that must open forever, the `d2` checksum that refuses
//! every one-character change, and decoding that never panics, whatever it
//! is given.

use design::format::{parse, to_json, to_json_pretty};
use design::share::{decode, encode, ShareError, MAX_INFLATED_BYTES};
use design::{validate, Design, NodeId, NodeKind, ParamKind, ParamValue, Point, Severity, Shared};
use proptest::collection::vec;
use proptest::prelude::*;

// ------------------------------------------------------------ helpers

fn at(x: f64, y: f64) -> Point {
    Point { x, y }
}

/// A base64url spelling written independently of the crate's, to build
/// links by hand.
fn b64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = String::new();
    for &b in bytes {
        bits = (bits << 8) | u32::from(b);
        n += 8;
        while n >= 6 {
            n -= 6;
            out.push(char::from(A[((bits >> n) & 63) as usize]));
        }
    }
    if n > 0 {
        out.push(char::from(A[((bits << (6 - n)) & 63) as usize]));
    }
    out
}

/// A `d1` link (no checksum) around a hand-made payload.
fn link_of(payload: &[u8]) -> String {
    format!(
        "d1.{}",
        b64(&miniz_oxide::deflate::compress_to_vec(payload, 6))
    )
}

/// CRC-32 (IEEE), a bit at a time: written independently of the crate's.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// `head` with its checksum, as docs/design-format.md describes it: `.`
/// and six base64url letters of (head length mod 16) << 32 | CRC-32.
fn with_checksum(head: &str) -> String {
    let value = ((head.len() as u64 % 16) << 32) | u64::from(crc32(head.as_bytes()));
    // 36 bits are 4.5 bytes: spell them shifted up by four bits, as five
    // bytes of which the base64 text's first six letters are the sum.
    let bytes = (value << 4).to_be_bytes();
    format!("{head}.{}", &b64(&bytes[3..])[..6])
}

/// A `d2` link around a hand-made payload.
fn link2_of(payload: &[u8]) -> String {
    with_checksum(&format!(
        "d2.{}",
        b64(&miniz_oxide::deflate::compress_to_vec(payload, 6))
    ))
}

/// The payload inside a link (`d1`, or `d2` without its checksum).
fn payload_of(link: &str) -> Vec<u8> {
    let body = match link.strip_prefix("d2.") {
        Some(rest) => rest.rsplit_once('.').expect("a checksum").0,
        None => link.strip_prefix("d1.").expect("a d1 or d2 link"),
    };
    let mut bytes = Vec::new();
    let mut bits = 0u32;
    let mut n = 0;
    for c in body.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            _ => 63,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            bytes.push((bits >> n) as u8);
        }
    }
    miniz_oxide::inflate::decompress_to_vec(&bytes).expect("a link we made")
}

/// Whatever `decode` returns must be a typed error in words, or a design
/// that validates clean and round-trips to itself without notes.
fn check_decoded(text: &str) -> Result<(), TestCaseError> {
    match decode(text) {
        Err(err) => {
            let words = err.to_string();
            prop_assert!(
                words.starts_with("This ") && words.ends_with('.'),
                "{}",
                words
            );
        }
        Ok(shared) => {
            let problems = validate(&shared.design);
            prop_assert!(problems.is_empty(), "{:?}", problems);
            let again = decode(&encode(&shared.design, &shared.kata, shared.seed));
            prop_assert_eq!(
                again,
                Ok(Shared {
                    diagnostics: vec![],
                    ..shared
                })
            );
        }
    }
    Ok(())
}

/// The status dashboard as an engineer would draw it: 12 nodes, layered
/// caching on the read path, a separate write path, labels and tuned
/// settings.
fn status_dashboard() -> Design {
    let mut d = Design::default();
    let mut add = |kind, x, y, label: Option<&str>| {
        let id = d.add_node(kind, at(x, y));
        if let (Some(label), Some(node)) = (label, d.node_mut(&id)) {
            node.label = label.to_string();
        }
        id
    };
    let users = add(NodeKind::Users, 64.0, 96.0, Some("Readers"));
    let mobile = add(NodeKind::Users, 64.0, 224.0, Some("Mobile readers"));
    let cdn = add(NodeKind::Cdn, 256.0, 160.0, None);
    let lb = add(NodeKind::LoadBalancer, 448.0, 160.0, None);
    let api = add(NodeKind::Api, 640.0, 160.0, Some("Status API"));
    let cache = add(NodeKind::Cache, 832.0, 96.0, None);
    let replica = add(NodeKind::ReadReplica, 1024.0, 160.0, None);
    let primary = add(NodeKind::DbPrimary, 1024.0, 384.0, None);
    let operator = add(NodeKind::Operator, 64.0, 384.0, None);
    let admin = add(NodeKind::Api, 640.0, 384.0, Some("Admin API"));
    let staff = add(NodeKind::InternalUsers, 64.0, 512.0, Some("Status staff"));
    let pages = add(NodeKind::ObjectStorage, 448.0, 32.0, Some("Status pages"));
    for (from, to) in [
        (&users, &cdn),
        (&mobile, &cdn),
        (&cdn, &lb),
        (&lb, &api),
        (&api, &cache),
        (&cache, &replica),
        (&api, &replica),
        (&primary, &replica),
        (&operator, &admin),
        (&staff, &admin),
        (&admin, &primary),
        (&admin, &pages),
        (&cdn, &pages),
    ] {
        d.connect(from, to).expect("an allowed connection");
    }
    let mut set = |id: &NodeId, key: &str, value: ParamValue| {
        d.node_mut(id)
            .expect("a node")
            .set_param(key, value)
            .expect("a valid setting");
    };
    set(&cdn, "ttl_s", 30.into());
    set(&cdn, "purge_on_update", true.into());
    set(&cdn, "swr_s", 30.into());
    set(&cdn, "sie_s", 600.into());
    set(&cdn, "shield", true.into());
    set(&api, "max_instances", 20.into());
    set(&api, "min_instances", 2.into());
    set(&primary, "multi_az", true.into());
    set(&replica, "count", 2.into());
    set(&admin, "autoscale", false.into());
    d
}

// ------------------------------------------------------------ examples

#[test]
fn the_status_dashboard_fits_the_budget() {
    let d = status_dashboard();
    assert_eq!(d.nodes.len(), 12);
    assert!(validate(&d).is_empty(), "{:?}", validate(&d));
    let link = encode(&d, "status-dashboard", 20_240_601);
    let starter = parse(include_str!(
        "../../../katas/status-dashboard/designs/starter.json"
    ))
    .expect("the starter design parses");
    assert!(starter.diagnostics.is_empty());
    let starter_link = encode(&starter.design, "status-dashboard", 1);
    println!(
        "share link lengths: 12-node status dashboard {} characters (JSON {} bytes), starter design {} characters",
        link.len(),
        to_json(&d).len(),
        starter_link.len()
    );
    println!("12-node link: #{link}");
    println!("starter link: #{starter_link}");
    assert!(link.len() <= 300, "{} characters: {link}", link.len());
    let back = decode(&link).expect("our own link");
    assert_eq!(back.design, d);
    assert!(back.diagnostics.is_empty());
    assert_eq!(decode(&starter_link).map(|s| s.design), Ok(starter.design));
}

/// The golden link: made once by `encode` and pinned. Every `d1` link ever
/// shared must keep opening to the same design, so this test may never be
/// changed to suit new code.
#[test]
fn the_golden_link_opens_forever() {
    const GOLDEN: &str = "d1.AUwAs_8Qc3RhdHVzLWRhc2hib2FyZCoEAAgUgyAUBEOyBFQBEQoe5Q5TdGF0dXMgQVBJIOKck5GzBIAUAQwCGAdwcmltYXJ5UAMDAAEBAgID";
    let mut d = Design::default();
    let users = d.add_node(NodeKind::Users, at(64.0, 160.0));
    let cdn = d.add_node(NodeKind::Cdn, at(256.0, 160.0));
    let api = d.add_node(NodeKind::Api, at(450.5, 160.0));
    let db = d.add_node(NodeKind::DbPrimary, at(640.0, -32.0));
    d.connect(&users, &cdn).unwrap();
    d.connect(&cdn, &api).unwrap();
    d.connect(&api, &db).unwrap();
    let node = d.node_mut(&cdn).unwrap();
    node.set_param("ttl_s", 30).unwrap();
    node.set_param("purge_on_update", true).unwrap();
    node.set_param("origin_sigma", 0.35).unwrap();
    node.set_param("plan", "pro").unwrap();
    let node = d.node_mut(&api).unwrap();
    node.label = "Status API ✓".into();
    node.set_param("size", "large").unwrap();
    d.node_mut(&db).unwrap().id = NodeId::from("primary");
    d.edges[2].to = NodeId::from("primary");
    assert!(validate(&d).is_empty(), "{:?}", validate(&d));

    let shared = decode(GOLDEN).expect("the golden link opens");
    assert_eq!(shared.design, d);
    assert_eq!(shared.kata, "status-dashboard");
    assert_eq!(shared.seed, 42);
    assert!(shared.diagnostics.is_empty());
    // Also as a fragment and inside a whole URL.
    assert_eq!(decode(&format!("#{GOLDEN}")), Ok(shared.clone()));
    assert_eq!(
        decode(&format!("  https://play.example/kata/?embed=1#{GOLDEN}\n")),
        Ok(shared)
    );
}

#[test]
fn typed_errors() {
    let err = |text: &str| decode(text).unwrap_err();
    for text in [
        "",
        "   ",
        "#",
        "hello",
        "https://play.example/",
        "d1",
        "{\"version\":1}",
    ] {
        assert_eq!(err(text), ShareError::NotALink, "{text:?}");
    }
    assert_eq!(err("#d3.AAAA"), ShareError::TooNew { version: 3 });
    assert_eq!(err("d17.whatever"), ShareError::TooNew { version: 17 });
    // A newer link with a checksum that matches is newer; one whose
    // checksum does not match is damaged.
    let newer = with_checksum("d3.AAAAAAAAAAAA");
    assert_eq!(err(&newer), ShareError::TooNew { version: 3 });
    assert_eq!(err(&newer.replacen("d3.", "d4.", 1)), ShareError::Damaged);
    assert!(err("d3.x")
        .to_string()
        .contains("made by a newer version of the playground"));

    // d2 links must end in their checksum.
    assert_eq!(err("d2.AAAA"), ShareError::Damaged);
    assert_eq!(err("#d2."), ShareError::Damaged);
    assert!(err("d2.AAAA")
        .to_string()
        .starts_with("This design link is damaged: its checksum does not match"));
    // A d2 link with a good checksum around bad contents gets the error
    // of its contents.
    assert_eq!(err(&with_checksum("d2.ab cd efgh")), ShareError::NotBase64);
    assert_eq!(err(&with_checksum("d2.AAAAAAAAZh")), ShareError::NotBase64);
    assert_eq!(
        err(&with_checksum("d2.AAAAAAAAAAAA")),
        ShareError::Corrupted
    );
    assert_eq!(
        err(&link2_of(&vec![0u8; MAX_INFLATED_BYTES + 1])),
        ShareError::TooLarge
    );
    assert!(matches!(
        err(&link2_of(&[0, 0, 0, 0, 9])),
        ShareError::Malformed { .. }
    ));

    // The d1 errors are unchanged.
    assert_eq!(err("d1.ab cd"), ShareError::NotBase64);
    assert_eq!(err("d1.abc+"), ShareError::NotBase64);
    assert_eq!(err("d1.abcde"), ShareError::NotBase64);
    assert_eq!(err("d1.Zh"), ShareError::NotBase64);
    assert_eq!(err("d1."), ShareError::Corrupted);
    assert_eq!(err("d1.AAAA"), ShareError::Corrupted);
    let zeros = vec![0u8; MAX_INFLATED_BYTES + 1];
    assert_eq!(err(&link_of(&zeros)), ShareError::TooLarge);
    let long = format!("d1.{}", "A".repeat(design::share::MAX_LINK_BYTES));
    assert_eq!(err(&long), ShareError::TooLarge);
    // Empty kata, seed 0, no nodes, no edges, then a stray byte.
    assert!(matches!(
        err(&link_of(&[0, 0, 0, 0, 9])),
        ShareError::Malformed { .. }
    ));
    assert!(matches!(
        err(&link_of(&[0, 0, 3])),
        ShareError::Malformed {
            problem: "it stops in the middle"
        }
    ));
    assert!(matches!(
        err(&link_of(&[2, 0xff, 0xfe, 0, 0, 0])),
        ShareError::Malformed { .. }
    ));

    // A link cut off while copying.
    let link = encode(&status_dashboard(), "status-dashboard", 1);
    assert_eq!(err(&link[..link.len() - 20]), ShareError::Damaged);
    let d1 = link_of(&payload_of(&link));
    assert!(matches!(
        err(&d1[..d1.len() - 20]),
        ShareError::Corrupted | ShareError::Malformed { .. }
    ));
}

/// A crafted link that unpacks to the limit with tens of thousands of
/// tiny nodes and edges opens (to the first 2,000 nodes and 10,000 edges)
/// or is refused; either way quickly and without panicking.
#[test]
fn crafted_links_at_the_limit_are_bounded() {
    let n = 40_000usize;
    let mut p = vec![0, 0];
    // n nodes of kind users at (0, 0), then n edges 0 → 1 (refused).
    let varint = |p: &mut Vec<u8>, mut v: usize| {
        while v >= 0x80 {
            p.push((v as u8) | 0x80);
            v >>= 7;
        }
        p.push(v as u8);
    };
    varint(&mut p, n);
    for _ in 0..n {
        p.extend_from_slice(&[0, 0, 0]);
    }
    varint(&mut p, n);
    for _ in 0..n {
        p.extend_from_slice(&[0, 1]);
    }
    assert!(p.len() <= MAX_INFLATED_BYTES);
    let link = link_of(&p);
    println!("{} characters", link.len());
    let start = std::time::Instant::now();
    let result = decode(&link);
    println!("decoded in {:?}: {}", start.elapsed(), result.is_ok());
    match result {
        Ok(shared) => {
            assert_eq!(shared.design.nodes.len(), design::limits::MAX_NODES);
            assert!(shared.design.edges.is_empty());
            assert!(validate(&shared.design).is_empty());
        }
        Err(err) => assert_eq!(err, ShareError::TooLarge),
    }
}

#[test]
fn the_smallest_link() {
    let link = encode(&Design::default(), "", 0);
    let shared = decode(&link).unwrap();
    assert_eq!(shared, Shared::default());
    println!("{link}");
    assert!(link.len() < 24, "{link}");
}

/// What a hand-made (or newer) link says inside the layout is checked and
/// repaired like a JSON file, with notes.
#[test]
fn hand_made_contents_are_repaired_with_notes() {
    let mut p = vec![];
    // The kata "no spaces allowed", seed 5, six nodes.
    p.push(17);
    p.extend_from_slice(b"no spaces allowed");
    p.extend_from_slice(&[5, 6]);

    // 0: a CDN on the grid with three settings: key code 11 (unknown) on,
    // plan option 9 (unknown), ttl_s 90000 (out of range).
    p.extend_from_slice(&[0x80 | 3, 2, 2, 3]);
    p.extend_from_slice(&[(11 << 3) | 1]);
    p.extend_from_slice(&[(10 << 3) | 4, 9]);
    p.extend_from_slice(&[(1 << 3) | 2, 0x90, 0xbf, 0x05]);

    // 1: a node of kind 20 (from a newer playground), via the escape.
    p.extend_from_slice(&[15, 5, 0, 0]);

    // 2: an API with an explicit id that is taken ("cdn1"): dropped.
    p.extend_from_slice(&[0x10 | 5, 4, b'c', b'd', b'n', b'1', 0, 0]);

    // 3: an API with a label holding a line break, off the grid at x NaN
    // (raw) and y -0.8 (zigzag 15 = -8, over 10^1).
    p.extend_from_slice(&[0x20 | 0x40 | 5, 3, b'a', b'\n', b'b', 7]);
    p.extend_from_slice(&f64::NAN.to_le_bytes());
    p.extend_from_slice(&[(15 << 3) | 1]);

    // 4: an API with min instances 13 (key code 0: spelled out) above max
    // instances 3.
    p.extend_from_slice(&[0x80 | 5, 0, 0, 2]);
    p.extend_from_slice(&[2, 13]);
    p.extend_from_slice(b"min_instances");
    p.push(13);
    p.extend_from_slice(&[(3 << 3) | 2, 3]);

    // 5: a read replica far off the canvas.
    p.extend_from_slice(&[9, 0xff, 0xff, 0xff, 0xff, 0x0f, 0]);

    // Five edges: cdn → api (index 3), to a missing node, to the dropped
    // duplicate, replica → cdn (refused), and cdn → api again.
    p.push(5);
    p.extend_from_slice(&[0, 3, 0, 40, 0, 2, 5, 0, 0, 3]);
    let shared = decode(&link_of(&p)).expect("inside the layout");
    let m: Vec<String> = shared.diagnostics.iter().map(|d| d.to_string()).collect();
    for line in &m {
        println!("{line}");
    }
    assert_eq!(shared.kata, "");
    assert_eq!(shared.seed, 5);
    assert!(validate(&shared.design).is_empty());
    let ids: Vec<&str> = shared.design.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["cdn1", "api1", "api2", "replica1"]);
    assert_eq!(shared.design.edges.len(), 1);
    let expect = [
        "warning: The link's kata name “no spaces allowed” contains spaces or control characters; it was ignored.",
        "info: CDN “cdn1”: CDN nodes have no setting called “setting 11”; it was ignored.",
        "warning: CDN “cdn1”: Pricing plan must be one of pay_as_you_go, pro; “option 9” is not one of them; the default (pay_as_you_go) is used.",
        "warning: CDN “cdn1”: TTL must be between 0 and 86400 s; 90000 was changed to 86400.",
        "error: Node “new-kind-20-1” has an unknown kind “kind 20”; it was dropped.",
        "error: Two nodes have the id “cdn1”; the second was dropped.",
        "warning: “a b” (api1): the label contains control characters (such as line breaks); they were replaced by spaces.",
        "warning: “a b” (api1): its position x must be a number; 0 was used.",
        "warning: API service “api2”: Min instances (13) was above max instances (3); max instances was raised to 13.",
        "warning: Read replica “replica1”: its position x = -34359738368 is too far off the canvas; it was moved to -1000000.",
        "error: The connection “cdn1” → “node 41” was dropped: there is no node “node 41”.",
        "error: The connection “cdn1” → “node 3” was dropped: there is no node “node 3”.",
    ];
    for line in expect {
        assert!(m.iter().any(|l| l == line), "missing: {line}\nin {m:#?}");
    }
    assert!(shared
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && d.message.contains("appears twice")));
    assert!(shared
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && d.message.contains("“replica1” → “cdn1”")));
}

/// The design JSON files and the kata a test data file names.
fn data(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `d1` links made by the encoder before `d2` existed (the reference and
/// starter designs of the status dashboard, and labels in French, Japanese
/// and emoji with off-grid positions and the largest seed): each opens, as
/// it is, after a `#` and in a whole URL, to exactly the design checked in
/// beside it. These files may never be changed to suit new code.
#[test]
fn old_d1_links_open_forever() {
    let list = data("d1-links.txt");
    let mut count = 0;
    for line in list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let fields: Vec<&str> = line.split(' ').collect();
        let [name, kata, seed, link] = fields[..] else {
            panic!("a line of four fields: {line}");
        };
        assert!(link.starts_with("d1."), "{link}");
        let json = data(&format!("d1-{name}.json"));
        let expected = parse(&json).expect("the checked-in design");
        assert!(expected.diagnostics.is_empty(), "{name}");
        let want = Shared {
            design: expected.design,
            kata: if kata == "-" {
                String::new()
            } else {
                kata.to_string()
            },
            seed: seed.parse().expect("a seed"),
            diagnostics: vec![],
        };
        let shared = decode(link).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(shared, want, "{name}");
        assert_eq!(to_json_pretty(&shared.design) + "\n", json, "{name}");
        assert_eq!(decode(&format!("#{link}")).as_ref(), Ok(&want), "{name}");
        assert_eq!(
            decode(&format!(" https://play.example/?embed=1#{link} ")).as_ref(),
            Ok(&want),
            "{name}"
        );
        // The same design's new link is a d2 link that opens the same.
        let again = encode(&want.design, &want.kata, want.seed);
        assert!(again.starts_with("d2."));
        assert_eq!(decode(&again), Ok(want), "{name}");
        count += 1;
    }
    assert_eq!(count, 3);
}

/// The characters a link's character is replaced by, or that is added:
/// every base64url letter, the signs a copy may bring in, and a letter
/// outside ASCII.
const STRANGERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.%# =+/é";

/// Every text that differs from `link` by one character replaced (by one
/// of [`STRANGERS`]), lost or added, and every cut of it.
fn one_character_changes(link: &str) -> Vec<String> {
    let chars: Vec<char> = link.chars().collect();
    let text = |v: &[char]| v.iter().collect::<String>();
    let mut out = Vec::new();
    for i in 0..chars.len() {
        for c in STRANGERS.chars().filter(|&c| c != chars[i]) {
            let mut v = chars.clone();
            v[i] = c;
            out.push(text(&v));
        }
        let mut v = chars.clone();
        v.remove(i);
        out.push(text(&v));
        out.push(text(&chars[..i]));
    }
    for i in 0..=chars.len() {
        for c in STRANGERS.chars() {
            let mut v = chars.clone();
            v.insert(i, c);
            out.push(text(&v));
        }
    }
    out
}

/// Every one-character change of real links (the kata's reference design,
/// its starter, the 12-node dashboard and labels outside ASCII) is refused
/// as damaged: never a panic, never another error, never a design. The
/// only exceptions are the changes that leave the same link: a space added
/// before or after it (spaces around a link are ignored) and a `#` added
/// before it (the fragment of a URL), which open the same design.
#[test]
fn every_one_character_change_of_a_real_link_is_refused_as_damaged() {
    let reference = parse(include_str!(
        "../../../katas/status-dashboard/designs/reference.json"
    ))
    .expect("the reference design parses");
    let starter = parse(include_str!(
        "../../../katas/status-dashboard/designs/starter.json"
    ))
    .expect("the starter design parses");
    let labels = parse(&data("d1-labels.json")).expect("the labels design parses");
    let links = [
        (
            "reference",
            encode(&reference.design, "status-dashboard", 1),
        ),
        (
            "starter",
            encode(&starter.design, "status-dashboard", 20_240_601),
        ),
        (
            "12-node",
            encode(&status_dashboard(), "status-dashboard", 99),
        ),
        ("labels", encode(&labels.design, "", u64::MAX)),
    ];
    let mut total = 0;
    for (name, link) in &links {
        let shared = decode(link).expect("our own link");
        let (mut damaged, mut no_link, mut same_link) = (0, 0, 0);
        for changed in one_character_changes(link) {
            let same = changed.trim() == link.as_str() || changed == format!("#{link}");
            let result = decode(&changed);
            if same {
                assert_eq!(result.as_ref(), Ok(&shared), "{changed}");
                same_link += 1;
            } else if changed.len() < 3 {
                // "", "d", "d2": what is left is no link at all.
                assert_eq!(result, Err(ShareError::NotALink), "{changed}");
                no_link += 1;
            } else {
                assert_eq!(result, Err(ShareError::Damaged), "{name}: {changed}");
                damaged += 1;
            }
        }
        println!(
            "{name}: {} characters; {damaged} changed links refused as damaged, \
             {no_link} cuts too short to be a link, {same_link} the same link",
            link.len()
        );
        assert_eq!(same_link, 3);
        assert_eq!(no_link, 3);
        total += damaged;
    }
    println!("{total} changed links refused as damaged");
    assert!(total > 100_000, "{total}");
}

/// Two base64url letters can spell the same bytes (the last letter's
/// unused low bits), and a `d1` link changed that way was refused only
/// because decoding is strict; a `d2` link's checksum covers the text
/// itself, so such a change is damage even to a lenient reader.
#[test]
fn a_change_that_spells_the_same_bytes_is_damage() {
    let link = encode(&status_dashboard(), "status-dashboard", 5);
    let (head, sum) = link.rsplit_once('.').unwrap();
    let body = head.strip_prefix("d2.").unwrap();
    let unused_bits = match body.len() % 4 {
        2 => 4,
        3 => 2,
        _ => 0,
    };
    const A: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = body.chars().last().unwrap();
    let value = A.find(last).unwrap();
    for low in 1..(1usize << unused_bits) {
        let other = A.as_bytes()[value | low] as char;
        let changed = format!("d2.{}{other}.{sum}", &body[..body.len() - 1]);
        assert_eq!(decode(&changed), Err(ShareError::Damaged), "{changed}");
    }
}

// ------------------------------------------------------------ properties

/// A value `spec` accepts, from a position `u` in [0, 1].
fn valid_value(kind: &ParamKind, u: f64, flag: bool) -> ParamValue {
    match *kind {
        ParamKind::Number { min, max, .. } => {
            let v = min + u * (max - min);
            let v = if kind.is_whole() { v.round() } else { v };
            ParamValue::Number(v.clamp(min, max))
        }
        ParamKind::Bool { .. } => ParamValue::Bool(flag),
        ParamKind::Choice { options, .. } => {
            let i = ((u * options.len() as f64) as usize).min(options.len().saturating_sub(1));
            ParamValue::Text(options.get(i).copied().unwrap_or_default().to_string())
        }
    }
}

fn coord() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => (-100i32..200).prop_map(|g| f64::from(g) * 16.0),
        2 => (-3000i32..3000).prop_map(f64::from),
        2 => -1e6..1e6f64,
        1 => (-1000i32..1000).prop_map(|v| f64::from(v) / 4.0),
        1 => prop::sample::select(vec![0.0, -0.0, 1e6, -1e6, 0.1 + 0.2, 1e-9]),
    ]
}

#[derive(Clone, Debug)]
enum Edit {
    Add(usize, f64, f64),
    Remove(prop::sample::Index),
    Rename(prop::sample::Index, String),
    Label(prop::sample::Index, Option<String>),
    Move(prop::sample::Index, f64, f64),
    Connect(prop::sample::Index, prop::sample::Index),
    Set(prop::sample::Index, prop::sample::Index, f64, bool),
    Reset(prop::sample::Index, prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    use prop::sample::Index;
    prop_oneof![
        6 => (0..NodeKind::ALL.len(), coord(), coord()).prop_map(|(k, x, y)| Edit::Add(k, x, y)),
        1 => any::<Index>().prop_map(Edit::Remove),
        1 => (any::<Index>(), "[a-zA-Z0-9_.é-]{1,12}|[a-z]{2,6}[0-9]").prop_map(|(i, s)| Edit::Rename(i, s)),
        2 => (any::<Index>(), prop::option::of("\\PC{0,80}")).prop_map(|(i, l)| Edit::Label(i, l)),
        2 => (any::<Index>(), coord(), coord()).prop_map(|(i, x, y)| Edit::Move(i, x, y)),
        6 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::Connect(a, b)),
        5 => (any::<Index>(), any::<Index>(), 0.0..=1.0f64, any::<bool>())
            .prop_map(|(n, p, u, f)| Edit::Set(n, p, u, f)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(n, p)| Edit::Reset(n, p)),
    ]
}

/// A design made only with the editor's operations, so it is valid.
fn valid_design() -> impl Strategy<Value = Design> {
    vec(edit(), 0..60).prop_map(|edits| {
        let mut d = Design::default();
        for edit in edits {
            let ids: Vec<NodeId> = d.nodes.iter().map(|n| n.id.clone()).collect();
            let pick = |i: &prop::sample::Index| (!ids.is_empty()).then(|| i.get(&ids).clone());
            match edit {
                Edit::Add(k, x, y) => {
                    let kind = NodeKind::ALL.get(k).copied().unwrap_or(NodeKind::Api);
                    d.add_node(kind, at(x, y));
                }
                Edit::Remove(i) => {
                    if let Some(id) = pick(&i) {
                        d.remove_node(&id);
                    }
                }
                Edit::Rename(i, new) => {
                    let new = NodeId::from(new);
                    if let Some(id) = pick(&i).filter(|_| !d.contains(&new)) {
                        for e in &mut d.edges {
                            if e.from == id {
                                e.from = new.clone();
                            }
                            if e.to == id {
                                e.to = new.clone();
                            }
                        }
                        if let Some(node) = d.node_mut(&id) {
                            node.id = new;
                        }
                    }
                }
                Edit::Label(i, label) => {
                    if let Some(node) = pick(&i).and_then(|id| d.node_mut(&id)) {
                        node.label = label.unwrap_or_else(|| node.kind.name().to_string());
                    }
                }
                Edit::Move(i, x, y) => {
                    if let Some(node) = pick(&i).and_then(|id| d.node_mut(&id)) {
                        node.position = at(x, y);
                    }
                }
                Edit::Connect(a, b) => {
                    if let (Some(a), Some(b)) = (pick(&a), pick(&b)) {
                        let _ = d.connect(&a, &b);
                    }
                }
                Edit::Set(n, p, u, flag) => {
                    if let Some(node) = pick(&n).and_then(|id| d.node_mut(&id)) {
                        let specs = node.kind.params();
                        if !specs.is_empty() {
                            let spec = p.get(specs);
                            let _ = node.set_param(spec.key, valid_value(&spec.kind, u, flag));
                        }
                    }
                }
                Edit::Reset(n, p) => {
                    if let Some(node) = pick(&n).and_then(|id| d.node_mut(&id)) {
                        let specs = node.kind.params();
                        if !specs.is_empty() {
                            let _ = node.reset_param(p.get(specs).key);
                        }
                    }
                }
            }
        }
        d
    })
}

fn kata() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("status-dashboard".to_string()),
        "[a-z0-9][a-z0-9_.-]{0,63}",
    ]
}

/// A design that may break every rule: duplicate or bad ids, long labels
/// with line breaks, positions that are not numbers or far away, settings
/// of the wrong type or out of range, edges to nowhere.
fn any_design() -> impl Strategy<Value = Design> {
    let value = prop_oneof![
        any::<bool>().prop_map(ParamValue::Bool),
        any::<f64>().prop_map(ParamValue::Number),
        (-5i32..100_000).prop_map(|v| ParamValue::Number(f64::from(v))),
        "\\PC{0,8}|small|pro|medium".prop_map(ParamValue::Text),
    ];
    let key = prop::sample::select(vec![
        "ttl_s",
        "size",
        "plan",
        "min_instances",
        "max_instances",
        "count",
        "bogus",
        "multi_az",
        "net_sigma",
        "get_ms",
    ]);
    (
        valid_design(),
        vec(
            (
                any::<prop::sample::Index>(),
                prop::option::of(prop::sample::select(vec!["", "a b", "x", "cdn1", "api1"])),
                prop::option::of(".{0,100}"),
                prop::option::of((any::<f64>(), any::<f64>())),
                prop::option::of(vec((key, value), 0..4)),
            ),
            0..6,
        ),
        vec(
            (
                prop::sample::select(vec!["x", "cdn1", "api1", "ghost", ""]),
                prop::sample::select(vec!["x", "cdn1", "api1", "db1", "ghost"]),
            ),
            0..4,
        ),
    )
        .prop_map(|(mut d, breaks, edges)| {
            if d.nodes.is_empty() {
                return d;
            }
            for (i, id, label, pos, params) in breaks {
                let n = i.index(d.nodes.len());
                let node = &mut d.nodes[n];
                if let Some(id) = id {
                    node.id = NodeId::from(id);
                }
                if let Some(label) = label {
                    node.label = label;
                }
                if let Some((x, y)) = pos {
                    node.position = at(x, y);
                }
                if let Some(params) = params {
                    let map: serde_json::Map<String, serde_json::Value> = params
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), serde_json::to_value(v).unwrap()))
                        .collect();
                    // Params only come in unchecked through serde.
                    if let Ok(p) = serde_json::from_value(serde_json::Value::Object(map)) {
                        node.params = p;
                    }
                }
            }
            for (from, to) in edges {
                d.edges.push(design::Edge {
                    from: NodeId::from(from),
                    to: NodeId::from(to),
                    kind: design::EdgeKind::Publish,
                });
            }
            d
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn links_round_trip_exactly(d in valid_design(), kata in kata(), seed in any::<u64>()) {
        prop_assert!(validate(&d).is_empty(), "{:?}", validate(&d));
        let link = encode(&d, &kata, seed);
        prop_assert!(link.starts_with("d2."));
        prop_assert!(link.bytes().skip(3).all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'));
        prop_assert_eq!(link.bytes().filter(|&b| b == b'.').count(), 2);
        prop_assert_eq!(link.rsplit_once('.').map(|(_, sum)| sum.len()), Some(6));
        prop_assert_eq!(&with_checksum(link.rsplit_once('.').unwrap().0), &link);
        let shared = decode(&link);
        prop_assert_eq!(shared, Ok(Shared { design: d, kata, seed, diagnostics: vec![] }));
    }

    /// For any design at all, the link repairs it exactly as the JSON
    /// format does.
    #[test]
    fn links_repair_like_json(d in any_design()) {
        let via_json = parse(&to_json(&d)).expect("our own JSON");
        let via_link = decode(&encode(&d, "k", 3));
        prop_assert!(via_link.is_ok(), "{:?}", via_link);
        if let Ok(shared) = via_link {
            prop_assert_eq!(&shared.design, &via_json.design);
            prop_assert!(validate(&shared.design).is_empty());
        }
    }

    /// For any design at all, the format writes the text `serde_json`
    /// wrote for it before the crate had a writer of its own (the oracle
    /// below), compact and indented. (The test lives here for
    /// [`any_design`], which breaks every rule a design has.)
    #[test]
    fn the_format_writes_what_serde_json_wrote(d in any_design()) {
        let (compact, pretty) = serde_json_oracle::write(&d);
        prop_assert_eq!(to_json(&d), compact);
        prop_assert_eq!(to_json_pretty(&d), pretty);
    }

    #[test]
    fn decode_never_panics_on_any_string(text in "\\PC*|.*") {
        check_decoded(&text)?;
        check_decoded(&format!("d1.{text}"))?;
    }

    #[test]
    fn decode_never_panics_on_base64_letters(text in "(#|https://x/#)?d[0-9]{1,2}\\.[A-Za-z0-9_-]{0,300}") {
        check_decoded(&text)?;
    }

    #[test]
    fn decode_never_panics_on_random_bytes(bytes in vec(any::<u8>(), 0..400)) {
        check_decoded(&format!("d1.{}", b64(&bytes)))?;
    }

    #[test]
    fn decode_never_panics_on_random_deflated_bytes(bytes in vec(any::<u8>(), 0..400)) {
        check_decoded(&link_of(&bytes))?;
    }

    /// Payloads that are nearly right reach deep into the reader.
    #[test]
    fn decode_never_panics_on_damaged_payloads(
        d in valid_design(),
        edits in vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..6),
    ) {
        let mut payload = payload_of(&encode(&d, "status-dashboard", 7));
        for (at, byte, how) in edits {
            let i = at.index(payload.len() + 1);
            match how {
                0 if i < payload.len() => payload[i] = byte,
                1 => payload.insert(i, byte),
                _ if i < payload.len() => { payload.remove(i); }
                _ => payload.push(byte),
            }
        }
        check_decoded(&link_of(&payload))?;
    }

    #[test]
    fn every_truncation_and_letter_change_is_handled(
        d in valid_design(),
        seed in any::<u64>(),
        shifts in vec(1..64usize, 1..8),
    ) {
        const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let link = encode(&d, "status-dashboard", seed);
        for end in 0..link.len() {
            let cut = decode(&link[..end]);
            if end < 3 {
                prop_assert_eq!(cut, Err(ShareError::NotALink));
            } else {
                prop_assert_eq!(cut, Err(ShareError::Damaged));
            }
        }
        for i in 0..link.len() {
            let mut bytes = link.clone().into_bytes();
            let old = LETTERS.iter().position(|&c| c == bytes[i]).unwrap_or(0);
            bytes[i] = LETTERS[(old + shifts[i % shifts.len()]) % 64];
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(decode(&changed), Err(ShareError::Damaged), "{}", changed);
        }
        // The same changes to the design's d1 link (no checksum) are
        // refused or open to a valid design.
        let d1 = link_of(&payload_of(&link));
        for end in 0..d1.len() {
            check_decoded(&d1[..end])?;
        }
        for i in 0..d1.len() {
            let mut bytes = d1.clone().into_bytes();
            let old = LETTERS.iter().position(|&c| c == bytes[i]).unwrap_or(0);
            bytes[i] = LETTERS[(old + shifts[i % shifts.len()]) % 64];
            check_decoded(&String::from_utf8(bytes).unwrap())?;
        }
    }
}

// ------------------------------------------------------------ the doc

/// Backticked words of a table cell, with the backticked words inside a
/// following parenthesis as that word's list: "`a`, `b` (`x`, `y`)" →
/// [(a, []), (b, [x, y])].
fn cell_words(cell: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut inside = false;
    let mut parts = cell.split('`');
    while let Some(between) = parts.next() {
        if between.contains('(') {
            inside = true;
        }
        if between.contains(')') {
            inside = false;
        }
        let Some(word) = parts.next() else { break };
        match (inside, out.last_mut()) {
            (true, Some((_, list))) => list.push(word.to_string()),
            _ => out.push((word.to_string(), Vec::new())),
        }
    }
    out
}

/// The kind and setting codes in `docs/design-format.md` are the ones
/// `encode` writes (read from the payload of one-node links).
#[test]
fn the_documented_codes_are_the_written_ones() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/design-format.md");
    let doc = std::fs::read_to_string(path).expect("the format doc");
    let section = |title: &str| -> Vec<String> {
        let start = doc.find(title).unwrap_or_else(|| panic!("no {title}"));
        doc[start..]
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2)
            .map(str::to_string)
            .collect()
    };
    // One node of `kind` at (0, 0), maybe with one setting: its payload
    // after the empty kata, seed 0 and node count 1, and before the edge
    // count 0.
    let one = |kind: NodeKind, setting: Option<(&str, ParamValue)>| {
        let mut d = Design::default();
        let id = d.add_node(kind, at(0.0, 0.0));
        if let Some((key, value)) = setting {
            d.node_mut(&id).unwrap().set_param(key, value).unwrap();
        }
        let payload = payload_of(&encode(&d, "", 0));
        assert_eq!(payload[..3], [0, 0, 1]);
        assert_eq!(payload.last(), Some(&0));
        payload[3..payload.len() - 1].to_vec()
    };

    let mut kinds = 0;
    for row in section("Kind codes:") {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        for pair in cells[1..cells.len() - 1].chunks(2) {
            let (Ok(code), Some((key, _))) = (pair[0].parse::<u8>(), cell_words(pair[1]).pop())
            else {
                continue;
            };
            let kind = NodeKind::from_key(&key).expect("a kind");
            assert_eq!(one(kind, None)[0], code, "{key}");
            kinds += 1;
        }
    }
    assert_eq!(kinds, NodeKind::ALL.len());

    let mut rows = 0;
    for row in section("Setting codes by kind") {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        for (kind, _) in cell_words(cells[1]) {
            let kind = NodeKind::from_key(&kind).expect("a kind");
            let keys = cell_words(cells[2]);
            assert_eq!(keys.len(), kind.params().len(), "{kind:?}");
            for (i, (key, options)) in keys.iter().enumerate() {
                let spec = kind.param(key).expect("a setting");
                let code = i as u8 + 1;
                match spec.kind {
                    ParamKind::Choice { options: all, .. } => {
                        assert_eq!(options, all, "{kind:?}.{key}");
                        for (j, option) in all.iter().enumerate() {
                            let bytes = one(kind, Some((key, ParamValue::from(*option))));
                            // head, x, y, count, tag, option index
                            assert_eq!(bytes[4..], [(code << 3) | 4, j as u8], "{key}");
                        }
                    }
                    ParamKind::Bool { default } => {
                        let bytes = one(kind, Some((key, ParamValue::from(!default))));
                        assert_eq!(bytes[4..], [(code << 3) | u8::from(!default)], "{key}");
                    }
                    ParamKind::Number { default, .. } => {
                        let bytes = one(kind, Some((key, ParamValue::from(default))));
                        assert_eq!(bytes[4] >> 3, code, "{key}");
                    }
                }
            }
            rows += 1;
        }
    }
    assert_eq!(rows, NodeKind::ALL.len());
}

/// How `design::format` wrote a design before it had its own JSON writer:
/// serde-derived structs, written by `serde_json`.
mod serde_json_oracle {
    use std::collections::BTreeMap;

    use design::{Design, ParamValue};
    use serde::{Serialize, Serializer};

    #[derive(Serialize)]
    struct DocOut<'a> {
        version: u32,
        nodes: Vec<NodeOut<'a>>,
        edges: Vec<EdgeOut<'a>>,
    }

    #[derive(Serialize)]
    struct NodeOut<'a> {
        id: &'a str,
        kind: design::NodeKind,
        label: &'a str,
        x: Num,
        y: Num,
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        params: BTreeMap<&'a str, ValueOut<'a>>,
    }

    #[derive(Serialize)]
    struct EdgeOut<'a> {
        from: &'a str,
        to: &'a str,
        kind: design::EdgeKind,
    }

    struct Num(f64);

    impl Serialize for Num {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let v = self.0;
            const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
            if v.fract() == 0.0 && v.abs() < EXACT {
                s.serialize_i64(v as i64)
            } else if v.is_finite() {
                s.serialize_f64(v)
            } else {
                s.serialize_none()
            }
        }
    }

    struct ValueOut<'a>(&'a ParamValue);

    impl Serialize for ValueOut<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.0 {
                ParamValue::Number(v) => Num(*v).serialize(s),
                ParamValue::Bool(v) => s.serialize_bool(*v),
                ParamValue::Text(v) => s.serialize_str(v),
            }
        }
    }

    /// The compact and the indented text.
    pub fn write(d: &Design) -> (String, String) {
        let doc = DocOut {
            version: 1,
            nodes: d
                .nodes
                .iter()
                .map(|n| NodeOut {
                    id: n.id.as_str(),
                    kind: n.kind,
                    label: &n.label,
                    x: Num(n.position.x),
                    y: Num(n.position.y),
                    params: n.params.iter().map(|(k, v)| (k, ValueOut(v))).collect(),
                })
                .collect(),
            edges: d
                .edges
                .iter()
                .map(|e| EdgeOut {
                    from: e.from.as_str(),
                    to: e.to.as_str(),
                    kind: e.kind,
                })
                .collect(),
        };
        (
            serde_json::to_string(&doc).expect("these structs write"),
            serde_json::to_string_pretty(&doc).expect("these structs write"),
        )
    }
}

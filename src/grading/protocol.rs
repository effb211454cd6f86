//! The messages between the page and the grading worker, and their wire
//! form: one byte buffer, transferred (not copied) to the other side,
//! holding the message as JSON and then the bulk bytes it carries apart
//! (a grade's chart series, see [`Wire`]). JSON because the page reads
//! design files with `serde_json` already: a second format cost the page
//! 97 KB gzipped of decoding code.
//!
//! Every request has a number, larger than any before it, and every
//! answer carries the number of the request it belongs to, so the page can
//! tell a stale answer from the current one (a new seed makes a new
//! request for the same design, so the editor's revision would not do).

use design::format::writer::JsonWriter;
use design::Design;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sim::engine::{NodeSeries, Series};
use sim::grade::{Grade, ScenarioResult};
use wasm_bindgen::JsValue;

/// A kata as data: its file and its starter design, as JSON text (what
/// `sim::kata::Kata::from_json` reads; `docs/katas/README.md`). Given to
/// the app as Leptos context (within `app::GivenKata`, with what reading
/// it gave), it opens this kata instead of the built-in one, and its
/// grading requests carry it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KataData {
    /// The kata file.
    pub kata_json: String,
    /// Its starter design (a design document).
    pub starter_json: String,
}

/// The kata a request is graded on. On the wire a built-in kata is its id
/// alone, as it always was; a kata given as data is its [`KataData`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KataRef {
    /// A kata built into the engine (`sim::kata::load`), by id.
    BuiltIn(String),
    /// A kata given as data, which the service reads itself.
    Given(KataData),
}

impl From<&str> for KataRef {
    fn from(id: &str) -> Self {
        KataRef::BuiltIn(id.to_string())
    }
}

/// What the page asks the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Grade `design` on the kata `kata` with runs seeded by `seed`, then
    /// test the failed scenarios' candidate fixes. A newer `Grade`
    /// supersedes this one: its fixes stop being tested.
    Grade {
        /// The request's number (the page's count of requests).
        request: u64,
        /// The kata.
        kata: KataRef,
        /// The runs' seed.
        seed: u64,
        /// The design to grade, on the wire as its design document
        /// ([`design_document`]).
        #[serde(with = "design_document")]
        design: Design,
    },
}

/// A design on the wire as its design document (`design::format`), the
/// text the page writes anyway for autosave and files, instead of serde's
/// derived form: the page then compiles one design writer (the format's)
/// instead of two. The worker reads at most `design::limits`'
/// `MAX_INPUT_BYTES` (4 MiB) of it, as it would a file; a design at the
/// other limits (2,000 nodes with 80-character labels of 4-byte letters,
/// 64-character ids and every setting written, 10,000 connections) is
/// 2.8 MB, and a longer one would be refused in words.
pub(crate) mod design_document {
    use design::Design;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `design` as its document text.
    pub(crate) fn serialize<S: Serializer>(design: &Design, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&design::format::to_json(design))
    }

    /// Reads a design from its document text. The page's designs always
    /// read back as they were written (`design::format`'s round-trip
    /// property), so nothing is repaired; were anything repaired, the
    /// repaired design is the one graded, as it would be from a file.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Design, D::Error> {
        let text = String::deserialize(d)?;
        design::format::parse(&text)
            .map(|parsed| parsed.design)
            .map_err(|e| D::Error::custom(format!("the design could not be read: {e}")))
    }
}

impl Request {
    /// The request's number.
    pub fn number(&self) -> u64 {
        match self {
            Request::Grade { request, .. } => *request,
        }
    }
}

/// What the worker answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker has loaded and listens (messages sent before this are
    /// lost, so the page holds them until then).
    Ready,
    /// The worker started on a request (older ones are dropped).
    Started {
        /// The request's number.
        request: u64,
    },
    /// The worker finished everything it was asked and waits.
    Idle,
    /// Never sent by the worker: the page's transport reports with it that
    /// the worker failed (it could not load, or stopped on an error).
    Failed {
        /// What went wrong, in words.
        reason: String,
    },
    /// The grade of a request, or why the kata could not grade.
    Graded {
        /// The request's number.
        request: u64,
        /// The grade (advice untested), or the kata's defect in words.
        /// Its reports' series travel apart, in `series` (see
        /// [`pack_series`]).
        grade: Result<Grade, String>,
        /// Each run's series, in the order of the grade's runs.
        series: Vec<PackedSeries>,
        /// How long grading took in the worker, milliseconds.
        took_ms: f64,
    },
    /// Candidate fixes tried so far for a request's failed scenarios.
    Checking {
        /// The request's number.
        request: u64,
        /// Candidates graded.
        done: usize,
        /// Candidates known so far.
        total: usize,
    },
    /// Scenarios whose fixes are settled: the grade's scenarios with
    /// their tested advice.
    Advised {
        /// The request's number.
        request: u64,
        /// Every scenario, in the kata's order.
        scenarios: Vec<ScenarioResult>,
        /// Once every failed scenario's fix is settled: how long testing
        /// took after the grade, milliseconds.
        fixes_ms: Option<f64>,
        /// How many candidates helper workers graded so far
        /// (`helpers.rs`).
        by_helpers: usize,
    },
}

/// [`Response::Ready`] in its wire form (see [`Wire`]): its JSON,
/// `"Ready"`, is 7 bytes. The page knows it by these bytes alone, so it
/// can send its first request before its part that reads answers has
/// loaded (`src/later.rs`).
pub const READY_WIRE: &[u8] = b"\x07\x00\x00\x00\"Ready\"";

/// A message that could not be read (a build mismatch between page and
/// worker, or a defect): said in words.
#[derive(Debug, Clone, PartialEq)]
pub struct WireError(pub String);

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a grading message could not be read: {}", self.0)
    }
}

impl std::error::Error for WireError {}

/// A message as it travels: 4 bytes (little-endian) giving the length of
/// its JSON, the JSON, then the bulk bytes it carries apart, in the order
/// [`Wire::bulk`] gives them. Numbers by the million (a 2,000-node
/// design's series) are thus copied, never parsed one by one.
pub trait Wire: Serialize + DeserializeOwned {
    /// The message's JSON, as `serde_json` writes it from the derived
    /// `Serialize`.
    fn json(&self) -> Result<Vec<u8>, WireError> {
        serde_json::to_vec(self).map_err(|e| WireError(e.to_string()))
    }

    /// The bytes this message carries apart from its JSON, in order.
    fn bulk(&self) -> Vec<&[u8]> {
        Vec::new()
    }

    /// Takes back, once the JSON is read, the bytes [`Wire::bulk`] gave:
    /// all of them, or says why they do not fit.
    fn take_bulk(&mut self, bulk: &[u8]) -> Result<(), WireError> {
        if bulk.is_empty() {
            Ok(())
        } else {
            Err(WireError(format!(
                "a message that carries no bulk bytes is followed by {}",
                bulk.len()
            )))
        }
    }
}

/// The page writes its requests itself, the very text `serde_json` writes
/// from the derived `Serialize` (a test compares them): the page then
/// carries no `serde_json` serializer, only the design crate's JSON writer,
/// which the autosave needs anyway.
impl Wire for Request {
    fn json(&self) -> Result<Vec<u8>, WireError> {
        let Request::Grade {
            request,
            kata,
            seed,
            design,
        } = self;
        let mut w = JsonWriter::new(false);
        w.begin_object();
        w.key("Grade");
        w.begin_object();
        w.key("request");
        w.u64(*request);
        w.key("kata");
        match kata {
            KataRef::BuiltIn(id) => w.string(id),
            KataRef::Given(data) => {
                w.begin_object();
                w.key("kata_json");
                w.string(&data.kata_json);
                w.key("starter_json");
                w.string(&data.starter_json);
                w.end_object();
            }
        }
        w.key("seed");
        w.u64(*seed);
        w.key("design");
        w.string(&design::format::to_json(design));
        w.end_object();
        w.end_object();
        Ok(w.finish().into_bytes())
    }
}

impl Wire for Response {
    fn bulk(&self) -> Vec<&[u8]> {
        match self {
            Response::Graded { series, .. } => series.iter().map(|s| s.values.as_slice()).collect(),
            _ => Vec::new(),
        }
    }

    fn take_bulk(&mut self, mut bulk: &[u8]) -> Result<(), WireError> {
        if let Response::Graded { series, .. } = self {
            for s in series {
                let values: u64 = s.lengths.iter().map(|&n| u64::from(n)).sum();
                let Some((head, rest)) = usize::try_from(values * 4)
                    .ok()
                    .and_then(|n| bulk.split_at_checked(n))
                else {
                    return Err(WireError("a series is shorter than its columns say".into()));
                };
                s.values = head.to_vec();
                bulk = rest;
            }
        }
        if bulk.is_empty() {
            Ok(())
        } else {
            Err(WireError("a series is longer than its columns say".into()))
        }
    }
}

/// The wire form of a message (see [`Wire`]).
pub fn encode<T: Wire>(message: &T) -> Result<Vec<u8>, WireError> {
    let json = message.json()?;
    let length = u32::try_from(json.len())
        .map_err(|_| WireError(format!("a message of {} bytes is too long", json.len())))?;
    let bulk = message.bulk();
    let mut out = Vec::with_capacity(4 + json.len() + bulk.iter().map(|b| b.len()).sum::<usize>());
    out.extend_from_slice(&length.to_le_bytes());
    out.extend_from_slice(&json);
    for bytes in bulk {
        out.extend_from_slice(bytes);
    }
    Ok(out)
}

/// A message's wire form as a buffer to transfer (not copy) with
/// `postMessage`, and the transfer list that goes with it.
pub fn to_transfer<T: Wire>(message: &T) -> Result<(js_sys::Uint8Array, js_sys::Array), WireError> {
    let bytes = encode(message)?;
    let buffer = js_sys::Uint8Array::from(bytes.as_slice());
    let transfer = js_sys::Array::of1(&buffer.buffer());
    Ok((buffer, transfer))
}

/// Posts `message` through `post` (a worker's or a worker scope's
/// `post_message_with_transfer`), its buffer transferred; what failed, to
/// be said in the console: the message could not be written, or posting
/// it failed.
pub fn send<T: Wire>(
    message: &T,
    post: impl FnOnce(&JsValue, &JsValue) -> Result<(), JsValue>,
) -> Result<(), JsValue> {
    let (buffer, transfer) = to_transfer(message).map_err(|e| JsValue::from_str(&e.to_string()))?;
    post(&buffer, &transfer)
}

/// A message from the bytes a `postMessage` carried.
pub fn from_event<T: Wire>(event: &web_sys::MessageEvent) -> Result<T, WireError> {
    decode(&js_sys::Uint8Array::new(&event.data()).to_vec())
}

/// A message from its wire form.
pub fn decode<T: Wire>(bytes: &[u8]) -> Result<T, WireError> {
    let Some((length, rest)) = bytes.split_first_chunk::<4>() else {
        return Err(WireError(format!(
            "{} bytes are too few for a message",
            bytes.len()
        )));
    };
    let length = u32::from_le_bytes(*length) as usize;
    let Some((json, bulk)) = rest.split_at_checked(length) else {
        return Err(WireError(format!(
            "a message of {length} bytes arrived with {}",
            rest.len()
        )));
    };
    // Read as text: the page reads its other JSON (the kata, design files)
    // from text too, so each type's reader is compiled once.
    let json = std::str::from_utf8(json)
        .map_err(|e| WireError(format!("a message is not UTF-8 text: {e}")))?;
    let mut message: T = serde_json::from_str(json).map_err(|e| WireError(e.to_string()))?;
    message.take_bulk(bulk)?;
    Ok(message)
}

/// A run's chart series in bulk: every column's `f32`s as little-endian
/// bytes in one buffer, which travels after the message's JSON (read back
/// with a copy, not value by value: a 2,000-node design's series hold
/// millions of numbers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackedSeries {
    /// Seconds between points.
    pub every_s: u32,
    /// Each point's time, seconds.
    pub t_s: Vec<u32>,
    /// Each node's id, in the series' order.
    pub node_ids: Vec<String>,
    /// Each column's length in values: the five design-wide columns, then
    /// each node's seven (see [`NODE_COLUMNS`]).
    pub lengths: Vec<u32>,
    /// The columns' values, one after the other: not in the JSON, but in
    /// the message's bulk bytes (see [`Wire`]).
    #[serde(skip)]
    pub values: Vec<u8>,
}

/// A node's columns, in their packed order.
pub const NODE_COLUMNS: usize = 7;

fn node_columns(n: &NodeSeries) -> [&Vec<f32>; NODE_COLUMNS] {
    [
        &n.utilisation,
        &n.errors_rps,
        &n.backlog,
        &n.instances,
        &n.offered_rps,
        &n.edge_share,
        &n.lag_s,
    ]
}

fn node_columns_mut(n: &mut NodeSeries) -> [&mut Vec<f32>; NODE_COLUMNS] {
    [
        &mut n.utilisation,
        &mut n.errors_rps,
        &mut n.backlog,
        &mut n.instances,
        &mut n.offered_rps,
        &mut n.edge_share,
        &mut n.lag_s,
    ]
}

impl PackedSeries {
    /// Packs a series.
    pub fn pack(series: &Series) -> Self {
        let design_wide = [
            &series.offered_rps,
            &series.errors_rps,
            &series.p95_ms,
            &series.staleness_s,
            &series.cost_usd,
        ];
        let columns = design_wide
            .into_iter()
            .chain(series.nodes.iter().flat_map(node_columns));
        let mut lengths = Vec::new();
        let mut values = Vec::new();
        for column in columns {
            lengths.push(column.len() as u32);
            for v in column {
                values.extend_from_slice(&v.to_le_bytes());
            }
        }
        PackedSeries {
            every_s: series.every_s,
            t_s: series.t_s.clone(),
            node_ids: series.nodes.iter().map(|n| n.id.clone()).collect(),
            lengths,
            values,
        }
    }

    /// The series back, or why the packing does not add up.
    pub fn unpack(self) -> Result<Series, WireError> {
        let mut series = Series {
            every_s: self.every_s,
            t_s: self.t_s,
            nodes: self
                .node_ids
                .into_iter()
                .map(|id| NodeSeries {
                    id,
                    ..NodeSeries::default()
                })
                .collect(),
            ..Series::default()
        };
        let expected = 5 + series.nodes.len() * NODE_COLUMNS;
        if self.lengths.len() != expected {
            return Err(WireError(format!(
                "a series has {} columns where {expected} were expected",
                self.lengths.len()
            )));
        }
        let mut lengths = self.lengths.into_iter();
        let mut bytes = self.values.as_slice();
        let Series {
            offered_rps,
            errors_rps,
            p95_ms,
            staleness_s,
            cost_usd,
            nodes,
            ..
        } = &mut series;
        let design_wide = [offered_rps, errors_rps, p95_ms, staleness_s, cost_usd];
        let columns = design_wide
            .into_iter()
            .chain(nodes.iter_mut().flat_map(node_columns_mut));
        for column in columns {
            let n = lengths.next().unwrap_or(0) as usize;
            let Some((head, rest)) = n.checked_mul(4).and_then(|b| bytes.split_at_checked(b))
            else {
                return Err(WireError("a series is shorter than its columns say".into()));
            };
            column.extend(
                head.chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            );
            bytes = rest;
        }
        if !bytes.is_empty() {
            return Err(WireError("a series is longer than its columns say".into()));
        }
        Ok(series)
    }
}

/// Moves every run's series out of `grade`, packed, in the runs' order
/// (the grade keeps empty series).
pub fn pack_series(grade: &mut Grade) -> Vec<PackedSeries> {
    grade
        .runs
        .iter_mut()
        .map(|run| PackedSeries::pack(&std::mem::take(&mut run.report.series)))
        .collect()
}

/// Puts packed series back into `grade`'s runs, in order.
pub fn unpack_series(grade: &mut Grade, series: Vec<PackedSeries>) -> Result<(), WireError> {
    if series.len() != grade.runs.len() {
        return Err(WireError(format!(
            "{} series came for {} runs",
            series.len(),
            grade.runs.len()
        )));
    }
    for (run, packed) in grade.runs.iter_mut().zip(series) {
        run.report.series = packed.unpack()?;
    }
    Ok(())
}

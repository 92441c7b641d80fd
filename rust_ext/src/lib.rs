//! Python binding layer of flowbook: converts NumPy arrays to slices, runs the pure-Rust
//! `core` with the GIL released, and maps every error (and, as a last guard, any panic) to a
//! Python exception. No feature logic lives here.

pub mod core;

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};

use numpy::{Element, IntoPyArray, PyArray1, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::core::candles::CandleGrid;
use crate::core::error::{InputError, Result as CoreResult};
use crate::core::orderbook::{BookParams, Side, Weighting};
use crate::core::orderflow::{FlowParams, ImbalanceBasis, Trades};
use crate::core::vpin as vpin_core;
use crate::core::{ofi, orderbook, orderflow, profile, surge, times};

/// Run `f` without the GIL; `InputError` → ValueError, panic → RuntimeError.
fn run<T: Send>(py: Python<'_>, f: impl FnOnce() -> CoreResult<T> + Send) -> PyResult<T> {
    match py.detach(|| catch_unwind(AssertUnwindSafe(f))) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(InputError(msg))) => Err(PyValueError::new_err(msg)),
        Err(_) => Err(PyRuntimeError::new_err(
            "flowbook internal error (panic caught); please report",
        )),
    }
}

/// A slice of a 1-D array; borrowed when contiguous, copied otherwise.
fn slice<'a, T: Element + Copy>(a: &'a PyReadonlyArray1<'_, T>) -> Cow<'a, [T]> {
    match a.as_slice() {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(a.as_array().iter().copied().collect()),
    }
}

/// Row-major values of a 2-D array and its width; borrowed when C-contiguous.
fn rows<'a>(a: &'a PyReadonlyArray2<'_, f64>) -> (Cow<'a, [f64]>, usize) {
    let width = a.shape()[1];
    // `as_slice` also accepts Fortran order, whose memory order is not row-major.
    match a.as_slice() {
        Ok(s) if a.is_c_contiguous() => (Cow::Borrowed(s), width),
        _ => (Cow::Owned(a.as_array().iter().copied().collect()), width),
    }
}

/// Two float arrays returned together.
type Pair<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);
/// Three float arrays returned together.
type Triple<'py> = (
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
);

fn arr<'py>(py: Python<'py>, v: Vec<f64>) -> Bound<'py, PyArray1<f64>> {
    v.into_pyarray(py)
}

fn weighting(name: &str, decay: f64) -> PyResult<Weighting> {
    match name {
        "uniform" => Ok(Weighting::Uniform),
        "level" => Ok(Weighting::Level(decay)),
        "distance" => Ok(Weighting::Distance(decay)),
        other => Err(PyValueError::new_err(format!(
            "weighting must be 'uniform', 'level' or 'distance', got {other:?}"
        ))),
    }
}

fn book_params(levels: Option<usize>, weights: &str, decay: f64, depth_bps: f64) -> PyResult<BookParams> {
    Ok(BookParams {
        levels: levels.unwrap_or(usize::MAX),
        weighting: weighting(weights, decay)?,
        depth_bps,
    })
}

/// Per-candle order flow of public trades (see `flowbook.order_flow`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn order_flow<'py>(
    py: Python<'py>,
    timestamps: PyReadonlyArray1<'py, i64>,
    sides: PyReadonlyArray1<'py, i8>,
    prices: PyReadonlyArray1<'py, f64>,
    amounts: PyReadonlyArray1<'py, f64>,
    candle_dates: PyReadonlyArray1<'py, i64>,
    timeframe_ms: i64,
    scale: f64,
    imbalance_ratio: f64,
    imbalance_volume: f64,
    stacked_imbalance_range: usize,
    max_candles: usize,
    imbalance_basis: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let basis = match imbalance_basis {
        "count" => ImbalanceBasis::Count,
        "volume" => ImbalanceBasis::Volume,
        other => {
            return Err(PyValueError::new_err(format!(
                "imbalance_basis must be 'count' or 'volume', got {other:?}"
            )))
        }
    };
    let params = FlowParams {
        scale,
        imbalance_ratio,
        imbalance_volume,
        stacked_range: stacked_imbalance_range,
        max_candles,
        basis,
    };
    let (ts, sd, px, am, dates) = (
        slice(&timestamps),
        slice(&sides),
        slice(&prices),
        slice(&amounts),
        slice(&candle_dates),
    );
    let of = run(py, || {
        let grid = CandleGrid::new(&dates, timeframe_ms)?;
        let trades = Trades {
            timestamps: &ts,
            sides: &sd,
            prices: &px,
            amounts: &am,
        };
        orderflow::order_flow(&trades, &grid, &params)
    })?;
    let d = PyDict::new(py);
    let c = of.candles;
    for (k, v) in [
        ("bid", c.bid),
        ("ask", c.ask),
        ("delta", c.delta),
        ("min_delta", c.min_delta),
        ("max_delta", c.max_delta),
        ("total_trades", c.total_trades),
        ("cum_delta", c.cum_delta),
    ] {
        d.set_item(k, arr(py, v))?;
    }
    let fp = &of.footprint;
    let col = |f: fn(&orderflow::Bin) -> f64| fp.iter().map(f).collect::<Vec<f64>>();
    let icol = |f: fn(&orderflow::Bin) -> i64| fp.iter().map(f).collect::<Vec<i64>>().into_pyarray(py);
    let bcol = |f: fn(&orderflow::Bin) -> bool| fp.iter().map(f).collect::<Vec<bool>>().into_pyarray(py);
    d.set_item(
        "fp_candle",
        fp.iter()
            .map(|b| b.candle as i64)
            .collect::<Vec<i64>>()
            .into_pyarray(py),
    )?;
    d.set_item("fp_price", arr(py, col(|b| b.price)))?;
    d.set_item("fp_bid_amount", arr(py, col(|b| b.bid_amount)))?;
    d.set_item("fp_ask_amount", arr(py, col(|b| b.ask_amount)))?;
    d.set_item("fp_bid", icol(|b| b.bid))?;
    d.set_item("fp_ask", icol(|b| b.ask))?;
    d.set_item("fp_delta", arr(py, col(|b| b.delta)))?;
    d.set_item("fp_total_volume", arr(py, col(|b| b.total_volume)))?;
    d.set_item("fp_total_trades", icol(|b| b.total_trades))?;
    d.set_item("fp_bid_imbalance", bcol(|b| b.bid_imbalance))?;
    d.set_item("fp_ask_imbalance", bcol(|b| b.ask_imbalance))?;
    for (name, s) in [("stacked_bid", of.stacked_bid), ("stacked_ask", of.stacked_ask)] {
        let candle: Vec<i64> = s.candle.iter().map(|&c| c as i64).collect();
        d.set_item(format!("{name}_candle"), candle.into_pyarray(py))?;
        d.set_item(format!("{name}_price"), arr(py, s.price))?;
    }
    Ok(d)
}

/// Features of one L2 snapshot (see `flowbook.book_snapshot`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn book_snapshot<'py>(
    py: Python<'py>,
    bid_prices: PyReadonlyArray1<'py, f64>,
    bid_sizes: PyReadonlyArray1<'py, f64>,
    ask_prices: PyReadonlyArray1<'py, f64>,
    ask_sizes: PyReadonlyArray1<'py, f64>,
    levels: Option<usize>,
    weighting: &str,
    decay: f64,
    depth_bps: f64,
) -> PyResult<(f64, f64, f64, f64, f64, f64)> {
    let params = book_params(levels, weighting, decay, depth_bps)?;
    let (bp, bq, ap, aq) = (
        slice(&bid_prices),
        slice(&bid_sizes),
        slice(&ask_prices),
        slice(&ask_sizes),
    );
    let f = run(py, || {
        orderbook::snapshot_features(
            &Side {
                prices: &bp,
                sizes: &bq,
            },
            &Side {
                prices: &ap,
                sizes: &aq,
            },
            &params,
        )
    })?;
    Ok((
        f.imbalance,
        f.micro_price,
        f.mid,
        f.spread_bps,
        f.bid_depth,
        f.ask_depth,
    ))
}

/// Features of N L2 snapshots given as (N, L) arrays (see `flowbook.book_batch`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn book_batch<'py>(
    py: Python<'py>,
    bid_prices: PyReadonlyArray2<'py, f64>,
    bid_sizes: PyReadonlyArray2<'py, f64>,
    ask_prices: PyReadonlyArray2<'py, f64>,
    ask_sizes: PyReadonlyArray2<'py, f64>,
    levels: Option<usize>,
    weighting: &str,
    decay: f64,
    depth_bps: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let params = book_params(levels, weighting, decay, depth_bps)?;
    let shapes = [
        bid_prices.shape(),
        bid_sizes.shape(),
        ask_prices.shape(),
        ask_sizes.shape(),
    ];
    if shapes.iter().any(|s| s[0] != shapes[0][0]) || shapes[0] != shapes[1] || shapes[2] != shapes[3] {
        return Err(PyValueError::new_err(format!(
            "shape mismatch: bid prices {:?}, bid sizes {:?}, ask prices {:?}, ask sizes {:?}",
            shapes[0], shapes[1], shapes[2], shapes[3]
        )));
    }
    let ((bp, lb), (bq, _), (ap, la), (aq, _)) = (
        rows(&bid_prices),
        rows(&bid_sizes),
        rows(&ask_prices),
        rows(&ask_sizes),
    );
    let out = run(py, || {
        let batch = orderbook::Batch {
            bid_prices: &bp,
            bid_sizes: &bq,
            ask_prices: &ap,
            ask_sizes: &aq,
            bid_levels: lb,
            ask_levels: la,
        };
        orderbook::batch_features(&batch, &params)
    })?;
    let d = PyDict::new(py);
    d.set_item("imbalance", arr(py, out.imbalance))?;
    d.set_item("micro_price", arr(py, out.micro_price))?;
    d.set_item("mid", arr(py, out.mid))?;
    d.set_item("spread_bps", arr(py, out.spread_bps))?;
    d.set_item("bid_depth", arr(py, out.bid_depth))?;
    d.set_item("ask_depth", arr(py, out.ask_depth))?;
    Ok(d)
}

/// Cont–Kukanov–Stoikov OFI events eₙ (see `flowbook.ofi_events`).
#[pyfunction]
fn ofi_events<'py>(
    py: Python<'py>,
    timestamps: PyReadonlyArray1<'py, i64>,
    bid_prices: PyReadonlyArray1<'py, f64>,
    bid_sizes: PyReadonlyArray1<'py, f64>,
    ask_prices: PyReadonlyArray1<'py, f64>,
    ask_sizes: PyReadonlyArray1<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let (ts, bp, bq, ap, aq) = (
        slice(&timestamps),
        slice(&bid_prices),
        slice(&bid_sizes),
        slice(&ask_prices),
        slice(&ask_sizes),
    );
    let e = run(py, || {
        ofi::ofi_events(&ofi::Quotes {
            timestamps: &ts,
            bid_prices: &bp,
            bid_sizes: &bq,
            ask_prices: &ap,
            ask_sizes: &aq,
        })
    })?;
    Ok(arr(py, e))
}

/// OFI summed per candle and event counts (see `flowbook.ofi_per_candle`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn ofi_per_candle<'py>(
    py: Python<'py>,
    timestamps: PyReadonlyArray1<'py, i64>,
    bid_prices: PyReadonlyArray1<'py, f64>,
    bid_sizes: PyReadonlyArray1<'py, f64>,
    ask_prices: PyReadonlyArray1<'py, f64>,
    ask_sizes: PyReadonlyArray1<'py, f64>,
    candle_dates: PyReadonlyArray1<'py, i64>,
    timeframe_ms: i64,
) -> PyResult<Pair<'py>> {
    let (ts, bp, bq, ap, aq, dates) = (
        slice(&timestamps),
        slice(&bid_prices),
        slice(&bid_sizes),
        slice(&ask_prices),
        slice(&ask_sizes),
        slice(&candle_dates),
    );
    let (o, n) = run(py, || {
        let grid = CandleGrid::new(&dates, timeframe_ms)?;
        let quotes = ofi::Quotes {
            timestamps: &ts,
            bid_prices: &bp,
            bid_sizes: &bq,
            ask_prices: &ap,
            ask_sizes: &aq,
        };
        ofi::ofi_per_candle(&quotes, &grid)
    })?;
    Ok((arr(py, o), arr(py, n)))
}

/// Delta over the mean absolute delta of the previous window (see `flowbook.flow_surge`).
#[pyfunction]
fn flow_surge<'py>(
    py: Python<'py>,
    delta: PyReadonlyArray1<'py, f64>,
    window: usize,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let d = slice(&delta);
    Ok(arr(py, run(py, || surge::flow_surge(&d, window))?))
}

/// Close-location value and volume-weighted delta proxy (see `flowbook.candle_flow_proxy`).
#[pyfunction]
fn candle_flow_proxy<'py>(
    py: Python<'py>,
    high: PyReadonlyArray1<'py, f64>,
    low: PyReadonlyArray1<'py, f64>,
    close: PyReadonlyArray1<'py, f64>,
    volume: PyReadonlyArray1<'py, f64>,
) -> PyResult<Pair<'py>> {
    let (h, l, c, v) = (slice(&high), slice(&low), slice(&close), slice(&volume));
    let (clv, proxy) = run(py, || surge::candle_flow_proxy(&h, &l, &c, &v))?;
    Ok((arr(py, clv), arr(py, proxy)))
}

/// POC, VAH, VAL of (price, volume) points (see `flowbook.volume_profile`).
#[pyfunction]
fn volume_profile(
    py: Python<'_>,
    prices: PyReadonlyArray1<'_, f64>,
    volumes: PyReadonlyArray1<'_, f64>,
    bin_size: f64,
    value_area: f64,
) -> PyResult<(f64, f64, f64)> {
    let (p, v) = (slice(&prices), slice(&volumes));
    let r = run(py, || profile::volume_profile(&p, &v, bin_size, value_area))?;
    Ok((r.poc, r.vah, r.val))
}

/// Trailing-window candle volume profile (see `flowbook.rolling_volume_profile`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn rolling_volume_profile<'py>(
    py: Python<'py>,
    high: PyReadonlyArray1<'py, f64>,
    low: PyReadonlyArray1<'py, f64>,
    close: PyReadonlyArray1<'py, f64>,
    volume: PyReadonlyArray1<'py, f64>,
    window: usize,
    bin_size: f64,
    value_area: f64,
) -> PyResult<Triple<'py>> {
    let (h, l, c, v) = (slice(&high), slice(&low), slice(&close), slice(&volume));
    let out = run(py, || {
        profile::rolling_candle_profile(&h, &l, &c, &v, window, bin_size, value_area)
    })?;
    Ok((
        arr(py, out.iter().map(|p| p.poc).collect()),
        arr(py, out.iter().map(|p| p.vah).collect()),
        arr(py, out.iter().map(|p| p.val).collect()),
    ))
}

/// Equal-volume buckets and rolling VPIN (see `flowbook.vpin`).
#[pyfunction]
fn vpin<'py>(
    py: Python<'py>,
    timestamps: PyReadonlyArray1<'py, i64>,
    sides: PyReadonlyArray1<'py, i8>,
    amounts: PyReadonlyArray1<'py, f64>,
    bucket_volume: f64,
    window: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let (ts, sd, am) = (slice(&timestamps), slice(&sides), slice(&amounts));
    let b = run(py, || vpin_core::vpin(&ts, &sd, &am, bucket_volume, window))?;
    let d = PyDict::new(py);
    d.set_item("end_timestamp", b.end_timestamp.into_pyarray(py))?;
    d.set_item("buy_volume", arr(py, b.buy_volume))?;
    d.set_item("sell_volume", arr(py, b.sell_volume))?;
    d.set_item("vpin", arr(py, b.vpin))?;
    Ok(d)
}

/// Unsigned times as int64 ms; a value above the int64 range raises ValueError.
#[pyfunction]
fn times_from_unsigned<'py>(
    py: Python<'py>,
    name: &str,
    values: PyReadonlyArray1<'py, u64>,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let v = slice(&values);
    Ok(run(py, || times::from_unsigned(name, &v))?.into_pyarray(py))
}

/// The `flowbook._native` extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(order_flow, m)?)?;
    m.add_function(wrap_pyfunction!(book_snapshot, m)?)?;
    m.add_function(wrap_pyfunction!(book_batch, m)?)?;
    m.add_function(wrap_pyfunction!(ofi_events, m)?)?;
    m.add_function(wrap_pyfunction!(ofi_per_candle, m)?)?;
    m.add_function(wrap_pyfunction!(flow_surge, m)?)?;
    m.add_function(wrap_pyfunction!(candle_flow_proxy, m)?)?;
    m.add_function(wrap_pyfunction!(volume_profile, m)?)?;
    m.add_function(wrap_pyfunction!(rolling_volume_profile, m)?)?;
    m.add_function(wrap_pyfunction!(vpin, m)?)?;
    m.add_function(wrap_pyfunction!(times_from_unsigned, m)?)?;
    Ok(())
}

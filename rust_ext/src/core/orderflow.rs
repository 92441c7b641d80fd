//! Public trades → per-candle order flow, with Freqtrade's `orderflow` semantics.
//!
//! Per candle (trades whose ⌊t/tf⌋·tf equals the candle date):
//! ask = Σ buy amounts, bid = Σ sell amounts (NumPy pairwise order), delta = ask − bid,
//! running delta dₖ = Σ_{j≤k} (±amountⱼ) in trade order, max_delta = maxₖ dₖ, min_delta = minₖ dₖ.
//! Footprint: bin = round_half_even(price / scale)·scale; per bin the buy/sell volume and
//! count, summed in pandas' order (np.add.reduceat when the bins rise in trade order, else
//! Kahan in trade order). Diagonal imbalance at bin i
//! with the next higher bin i+1: bid_imb = bidᵢ / askᵢ₊₁ > ratio, ask_imb = askᵢ₊₁ / bidᵢ > ratio,
//! both false when total_volumeᵢ < imbalance_volume; bid/ask are counts (Freqtrade) or volumes.
//! Stacked: every start price of `range` consecutive imbalanced bins.

use super::candles::CandleGrid;
use super::error::{all_finite_non_negative, all_finite_positive, bail, same_len, Result};
use super::sums::{numpy_pairwise_sum, numpy_reduceat_segment, KahanSum};

/// Public trades, sorted by timestamp. `sides`: +1 = buy (taker bought), −1 = sell.
#[derive(Debug, Clone, Copy)]
pub struct Trades<'a> {
    pub timestamps: &'a [i64],
    pub sides: &'a [i8],
    pub prices: &'a [f64],
    pub amounts: &'a [f64],
}

impl Trades<'_> {
    /// Check lengths, sides, and that prices are finite and > 0 and amounts finite and ≥ 0.
    pub fn validate(&self) -> Result<usize> {
        let n = same_len(&[
            ("timestamps", self.timestamps.len()),
            ("sides", self.sides.len()),
            ("prices", self.prices.len()),
            ("amounts", self.amounts.len()),
        ])?;
        if let Some(i) = self.sides.iter().position(|s| *s != 1 && *s != -1) {
            bail!(
                "sides[{i}] is {} (must be +1 for buy or -1 for sell)",
                self.sides[i]
            );
        }
        all_finite_positive("prices", self.prices)?;
        all_finite_non_negative("amounts", self.amounts)?;
        Ok(n)
    }
}

/// Which quantity the diagonal imbalance compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImbalanceBasis {
    /// Number of trades per bin (Freqtrade's footprint `bid`/`ask`).
    Count,
    /// Traded volume per bin (`bid_amount`/`ask_amount`).
    Volume,
}

/// Parameters of Freqtrade's `orderflow` config section.
#[derive(Debug, Clone, Copy)]
pub struct FlowParams {
    pub scale: f64,
    pub imbalance_ratio: f64,
    pub imbalance_volume: f64,
    pub stacked_range: usize,
    pub max_candles: usize,
    pub basis: ImbalanceBasis,
}

impl FlowParams {
    fn validate(&self) -> Result<()> {
        if !(self.scale.is_finite() && self.scale > 0.0) {
            bail!("scale must be finite and > 0, got {}", self.scale);
        }
        if !self.imbalance_ratio.is_finite() || !self.imbalance_volume.is_finite() {
            bail!("imbalance_ratio and imbalance_volume must be finite");
        }
        if self.stacked_range == 0 {
            bail!("stacked_imbalance_range must be >= 1");
        }
        if self.max_candles == 0 {
            bail!("max_candles must be >= 1");
        }
        Ok(())
    }
}

/// One price bin of one candle's footprint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bin {
    pub candle: usize,
    pub price: f64,
    /// Sell-side (taker sell) volume: Freqtrade's `bid_amount`.
    pub bid_amount: f64,
    /// Buy-side volume: Freqtrade's `ask_amount`.
    pub ask_amount: f64,
    /// Sell trade count: Freqtrade's footprint `bid`.
    pub bid: i64,
    /// Buy trade count: Freqtrade's footprint `ask`.
    pub ask: i64,
    pub delta: f64,
    pub total_volume: f64,
    pub total_trades: i64,
    pub bid_imbalance: bool,
    pub ask_imbalance: bool,
}

/// Per-candle order flow; NaN in candles without trades.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CandleFlow {
    pub bid: Vec<f64>,
    pub ask: Vec<f64>,
    pub delta: Vec<f64>,
    pub min_delta: Vec<f64>,
    pub max_delta: Vec<f64>,
    pub total_trades: Vec<f64>,
    /// Σ delta over all rows up to this one (rows without trades add 0).
    pub cum_delta: Vec<f64>,
}

/// Start prices of stacked imbalances, flattened: `candle[k]` holds `price[k]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stacked {
    pub candle: Vec<usize>,
    pub price: Vec<f64>,
}

/// Everything the trades produce for one candle frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderFlow {
    pub candles: CandleFlow,
    pub footprint: Vec<Bin>,
    pub stacked_bid: Stacked,
    pub stacked_ask: Stacked,
}

/// Compute the order flow of `trades` on the candle `grid`; only the last `max_candles`
/// rows receive values, as in Freqtrade.
pub fn order_flow(trades: &Trades, grid: &CandleGrid, params: &FlowParams) -> Result<OrderFlow> {
    trades.validate()?;
    params.validate()?;
    let n_rows = grid.dates.len();
    let first_row = n_rows.saturating_sub(params.max_candles);
    let runs = grid.runs(trades.timestamps, first_row)?;
    let mut out = OrderFlow {
        candles: CandleFlow {
            bid: vec![f64::NAN; n_rows],
            ask: vec![f64::NAN; n_rows],
            delta: vec![f64::NAN; n_rows],
            min_delta: vec![f64::NAN; n_rows],
            max_delta: vec![f64::NAN; n_rows],
            total_trades: vec![f64::NAN; n_rows],
            cum_delta: vec![0.0; n_rows],
        },
        ..OrderFlow::default()
    };
    let mut sells = Vec::new();
    let mut buys = Vec::new();
    for (row, begin, end) in runs {
        candle_totals(trades, begin, end, row, &mut out.candles, &mut sells, &mut buys);
        let first_bin = out.footprint.len();
        footprint(trades, begin, end, row, params.scale, &mut out.footprint);
        let bins = &mut out.footprint[first_bin..];
        mark_imbalances(bins, params);
        stacked(
            bins,
            params.stacked_range,
            |b| b.bid_imbalance,
            &mut out.stacked_bid,
        );
        stacked(
            bins,
            params.stacked_range,
            |b| b.ask_imbalance,
            &mut out.stacked_ask,
        );
    }
    let mut running = 0.0;
    for (cum, delta) in out.candles.cum_delta.iter_mut().zip(&out.candles.delta) {
        if !delta.is_nan() {
            running += delta;
        }
        *cum = running;
    }
    Ok(out)
}

fn candle_totals(
    trades: &Trades,
    begin: usize,
    end: usize,
    row: usize,
    out: &mut CandleFlow,
    sells: &mut Vec<f64>,
    buys: &mut Vec<f64>,
) {
    sells.clear();
    buys.clear();
    let mut running = f64::NAN;
    let mut max_d = f64::NEG_INFINITY;
    let mut min_d = f64::INFINITY;
    for i in begin..end {
        let amount = trades.amounts[i];
        let (buy, sell) = if trades.sides[i] > 0 {
            (amount, 0.0)
        } else {
            (0.0, amount)
        };
        buys.push(buy);
        sells.push(sell);
        let step = buy - sell;
        running = if i == begin { step } else { running + step };
        max_d = max_d.max(running);
        min_d = min_d.min(running);
    }
    let bid = numpy_pairwise_sum(sells);
    let ask = numpy_pairwise_sum(buys);
    out.bid[row] = bid;
    out.ask[row] = ask;
    out.delta[row] = ask - bid;
    out.max_delta[row] = max_d;
    out.min_delta[row] = min_d;
    out.total_trades[row] = (end - begin) as f64;
}

/// Bin round_half_even(p / scale)·scale, the float Freqtrade groups on.
pub fn bin_price(price: f64, scale: f64) -> f64 {
    (price / scale).round_ties_even() * scale
}

fn footprint(trades: &Trades, begin: usize, end: usize, row: usize, scale: f64, out: &mut Vec<Bin>) {
    let mut order: Vec<(f64, usize)> = (begin..end)
        .map(|i| (bin_price(trades.prices[i], scale), i))
        .collect();
    // pandas sums a group with np.add.reduceat when the bins already rise in trade order, and
    // with its Kahan loop otherwise; both keep each bin's trades in time order.
    let sorted_in_time = order.windows(2).all(|w| w[0].0 <= w[1].0);
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut columns: [Vec<f64>; 4] = Default::default();
    let mut k = 0;
    while k < order.len() {
        let price = order[k].0;
        columns.iter_mut().for_each(Vec::clear);
        let (mut bid, mut ask) = (0i64, 0i64);
        while k < order.len() && order[k].0 == price {
            let i = order[k].1;
            let amount = trades.amounts[i];
            let (buy, sell) = if trades.sides[i] > 0 {
                (amount, 0.0)
            } else {
                (0.0, amount)
            };
            for (col, v) in columns.iter_mut().zip([sell, buy, buy - sell, buy + sell]) {
                col.push(v);
            }
            if trades.sides[i] > 0 {
                ask += 1;
            } else {
                bid += 1;
            }
            k += 1;
        }
        let sum = |v: &[f64]| {
            if sorted_in_time {
                numpy_reduceat_segment(v)
            } else {
                v.iter()
                    .fold(KahanSum::default(), |mut acc, x| {
                        acc.add(*x);
                        acc
                    })
                    .value()
            }
        };
        out.push(Bin {
            candle: row,
            price,
            bid_amount: sum(&columns[0]),
            ask_amount: sum(&columns[1]),
            bid,
            ask,
            delta: sum(&columns[2]),
            total_volume: sum(&columns[3]),
            total_trades: bid + ask,
            bid_imbalance: false,
            ask_imbalance: false,
        });
    }
}

fn mark_imbalances(bins: &mut [Bin], params: &FlowParams) {
    let side_values = |b: &Bin| match params.basis {
        ImbalanceBasis::Count => (b.bid as f64, b.ask as f64),
        ImbalanceBasis::Volume => (b.bid_amount, b.ask_amount),
    };
    for i in 0..bins.len() {
        // Freqtrade clears an imbalance only where total_volume < imbalance_volume.
        let enough_volume = bins[i].total_volume >= params.imbalance_volume;
        let Some(upper) = bins.get(i + 1) else {
            continue;
        };
        let (bid, _) = side_values(&bins[i]);
        let (_, ask_above) = side_values(upper);
        bins[i].bid_imbalance = enough_volume && bid / ask_above > params.imbalance_ratio;
        bins[i].ask_imbalance = enough_volume && ask_above / bid > params.imbalance_ratio;
    }
}

fn stacked(bins: &[Bin], range: usize, flag: impl Fn(&Bin) -> bool, out: &mut Stacked) {
    let mut i = 0;
    while i < bins.len() {
        if !flag(&bins[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bins.len() && flag(&bins[i]) {
            i += 1;
        }
        if i - start >= range {
            for b in &bins[start..=i - range] {
                out.candle.push(b.candle);
                out.price.push(b.price);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(stacked_range: usize, basis: ImbalanceBasis) -> FlowParams {
        FlowParams {
            scale: 1.0,
            imbalance_ratio: 1.5,
            imbalance_volume: 0.0,
            stacked_range,
            max_candles: 10,
            basis,
        }
    }

    #[test]
    fn candle_totals_and_running_delta() {
        let t = Trades {
            timestamps: &[0, 10, 20, 70],
            sides: &[1, -1, -1, 1],
            prices: &[100.0, 100.4, 100.6, 101.0],
            amounts: &[2.0, 1.0, 4.0, 3.0],
        };
        let grid = CandleGrid::new(&[0, 60, 120], 60).unwrap();
        let of = order_flow(&t, &grid, &params(1, ImbalanceBasis::Count)).unwrap();
        assert_eq!(of.candles.ask[0], 2.0);
        assert_eq!(of.candles.bid[0], 5.0);
        assert_eq!(of.candles.delta[0], -3.0);
        assert_eq!(of.candles.max_delta[0], 2.0);
        assert_eq!(of.candles.min_delta[0], -3.0);
        assert_eq!(of.candles.total_trades[1], 1.0);
        assert!(of.candles.delta[2].is_nan());
        assert_eq!(of.candles.cum_delta, vec![-3.0, 0.0, 0.0]);
        // bins of candle 0: 100 (buy 2, sell 1) and 101 (sell 4)
        let prices: Vec<f64> = of.footprint.iter().map(|b| b.price).collect();
        assert_eq!(prices, vec![100.0, 101.0, 101.0]);
        assert_eq!((of.footprint[0].ask, of.footprint[0].bid), (1, 1));
        assert_eq!(of.footprint[1].bid_amount, 4.0);
    }

    #[test]
    fn half_way_prices_round_to_even_bins() {
        assert_eq!(bin_price(100.5, 1.0), 100.0);
        assert_eq!(bin_price(101.5, 1.0), 102.0);
        assert_eq!(bin_price(0.25, 0.5), 0.0);
    }

    #[test]
    fn diagonal_and_stacked_imbalances() {
        // bins 1..=4; buys above sells: ask_{i+1}/bid_i = 3 > 1.5 on 1→2 and 2→3.
        let t = Trades {
            timestamps: &[0; 7],
            sides: &[-1, 1, 1, 1, -1, 1, 1],
            prices: &[1.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0],
            amounts: &[1.0; 7],
        };
        let grid = CandleGrid::new(&[0], 60).unwrap();
        let of = order_flow(&t, &grid, &params(2, ImbalanceBasis::Count)).unwrap();
        let ask_imb: Vec<bool> = of.footprint.iter().map(|b| b.ask_imbalance).collect();
        // bin1: ask2/bid1 = 3/1; bin2: ask3/bid2 = 2/1; bin3: nothing above
        assert_eq!(ask_imb, vec![true, true, false]);
        assert_eq!(of.stacked_ask.price, vec![1.0]);
        assert!(of.stacked_bid.price.is_empty());
        let mut p = params(2, ImbalanceBasis::Count);
        p.imbalance_volume = 2.0;
        let of = order_flow(&t, &grid, &p).unwrap();
        assert!(!of.footprint[0].ask_imbalance, "bin 1 holds 1 < 2 units");
    }

    #[test]
    fn max_candles_cuts_older_rows() {
        let t = Trades {
            timestamps: &[0, 60],
            sides: &[1, 1],
            prices: &[1.0, 1.0],
            amounts: &[1.0, 1.0],
        };
        let grid = CandleGrid::new(&[0, 60], 60).unwrap();
        let mut p = params(1, ImbalanceBasis::Volume);
        p.max_candles = 1;
        let of = order_flow(&t, &grid, &p).unwrap();
        assert!(of.candles.delta[0].is_nan());
        assert_eq!(of.candles.delta[1], 1.0);
    }

    #[test]
    fn rejects_bad_trades_and_params() {
        let grid = CandleGrid::new(&[0], 60).unwrap();
        let ok = params(1, ImbalanceBasis::Count);
        let bad_side = Trades {
            timestamps: &[0],
            sides: &[0],
            prices: &[1.0],
            amounts: &[1.0],
        };
        assert!(order_flow(&bad_side, &grid, &ok).is_err());
        let neg = Trades {
            timestamps: &[0],
            sides: &[1],
            prices: &[1.0],
            amounts: &[-1.0],
        };
        assert!(order_flow(&neg, &grid, &ok).is_err());
        let short = Trades {
            timestamps: &[0, 1],
            sides: &[1],
            prices: &[1.0],
            amounts: &[1.0],
        };
        assert!(order_flow(&short, &grid, &ok).is_err());
        let good = Trades {
            timestamps: &[0],
            sides: &[1],
            prices: &[1.0],
            amounts: &[1.0],
        };
        assert!(order_flow(&good, &grid, &params(0, ImbalanceBasis::Count)).is_err());
    }
}

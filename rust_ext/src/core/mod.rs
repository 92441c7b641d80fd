//! Pure-Rust core: no Python types, every fallible function returns [`error::Result`].

pub mod candles;
pub mod error;
pub mod ofi;
pub mod orderbook;
pub mod orderflow;
pub mod profile;
pub mod sums;
pub mod surge;
pub mod times;
pub mod vpin;

// Products and quotients between units. Every division names its rounding.

/// Notional: price × quantity. Exact for real inputs (≤ 18 decimals); otherwise half-even at 1e-18.
@inlinable public func * (p: Price, q: Quantity) -> Money {
    Money(raw: Price.mulScaled(p.raw, q.raw, .halfEven))
}

@inlinable public func * (q: Quantity, p: Price) -> Money { p * q }

extension Money {
    /// Base quantity bought by this notional at `price` (caller states rounding; lots round down).
    @inlinable public func quantity(at price: Price, _ rule: RoundingRule = .down) -> Quantity {
        Quantity(raw: Money.divScaled(raw, price.raw, rule))
    }

    /// Like `quantity(at:rule:)`, but nil when the result would not fit (an absurd order).
    @inlinable public func quantityChecked(at price: Price, _ rule: RoundingRule = .down) -> Quantity? {
        Money.divScaledChecked(raw, price.raw, rule).map { Quantity(raw: $0) }
    }

    /// Like `convertedBack(at:rule:)`, but nil when the result would not fit.
    @inlinable public func convertedBackChecked(at usdPerUnit: Price, _ rule: RoundingRule = .halfEven) -> Money? {
        Money.divScaledChecked(raw, usdPerUnit.raw, rule).map { Money(raw: $0) }
    }

    /// Average price of a cost spread over a quantity (cost / quantity), half-even at 1e-18.
    @inlinable public func price(per quantity: Quantity, _ rule: RoundingRule = .halfEven) -> Price {
        Price(raw: Money.divScaled(raw, quantity.raw, rule))
    }

    /// Converts an amount of a quote currency into USD at `usdPerUnit`.
    @inlinable public func converted(at usdPerUnit: Price, _ rule: RoundingRule = .halfEven) -> Money {
        Money(raw: Money.mulScaled(raw, usdPerUnit.raw, rule))
    }

    /// Converts USD into units of a currency worth `usdPerUnit` each.
    @inlinable public func convertedBack(at usdPerUnit: Price, _ rule: RoundingRule = .halfEven) -> Money {
        Money(raw: Money.divScaled(raw, usdPerUnit.raw, rule))
    }
}

extension Price {
    /// A price expressed in another currency: (quote per base) × (USD per quote) = USD per base.
    @inlinable public func converted(at usdPerQuote: Price, _ rule: RoundingRule = .halfEven) -> Price {
        Price(raw: Price.mulScaled(raw, usdPerQuote.raw, rule))
    }

    /// Midpoint of two prices, half-even at 1e-18.
    @inlinable public static func mid(_ a: Price, _ b: Price) -> Price {
        Price(raw: Price.divide(a.raw + b.raw, by: 2, .halfEven))
    }
}

extension Quantity {
    /// `self × numerator / denominator` with one rounding: pro-rating fees on partial closes.
    @inlinable public func fraction(of money: Money, over total: Quantity, _ rule: RoundingRule = .halfEven) -> Money {
        // money × (self / total) computed as (money × self) / total at full width.
        let p = money.raw.multipliedFullWidth(by: raw)
        let (q, r) = total.raw.dividingFullWidth(p)
        return Money(raw: Money.adjust(q, r, total.raw, rule))
    }
}

extension Rate {
    /// 1 + r, e.g. buy-side slippage factor.
    @inlinable public var onePlus: Rate { Rate(raw: Rate.scale + raw) }
    /// 1 − r.
    @inlinable public var oneMinus: Rate { Rate(raw: Rate.scale - raw) }
}

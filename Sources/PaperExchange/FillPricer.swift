import TradingCore

/// The priced quantity of a market order: exact quote cost and whether depth ran out.
struct PricedOrder {
    var quantity: Quantity
    /// Σ price × quantity over the levels taken, in quote units (exact).
    var cost: Money
    var beyondVisibleDepth: Bool

    /// Average execution price (display and the canonical fill line).
    var price: Price {
        quantity.isZero ? .zero : cost.price(per: quantity)
    }
}

/// Where an order's price comes from.
enum PriceBasis {
    /// Walk these levels (best first); beyond them, the last level worsened by slippage.
    case book([BookLevel])
    /// One price for the whole order (top of book, signal price or bar open), already including slippage.
    case single(Price)
}

/// Prices orders by notional or by quantity. Quantities are rounded down to the lot.
struct FillPricer {
    /// Largest order quantity accepted (ARCHITECTURE: quantities up to 1e13 units).
    static let maxQuantity = Quantity("10000000000000")!
    /// Largest order notional accepted, in quote units or USD (ARCHITECTURE: notionals up to 1e13 USD; 100× margin).
    static let maxNotional = 1e15

    let lotDecimals: Int
    let slippage: Rate
    let takerSide: TakerSide

    /// Worsens a price by the slippage rate for this side.
    func slipped(_ p: Price) -> Price {
        takerSide == .buy ? p.scaled(by: slippage.onePlus) : p.scaled(by: slippage.oneMinus)
    }

    /// Largest lot-rounded quantity whose cost (in quote units) is at most `notional`;
    /// nil when the quantity would be out of range.
    func price(notional: Money, basis: PriceBasis) -> PricedOrder? {
        switch basis {
        case .single(let p):
            guard let raw = notional.quantityChecked(at: p, .down), raw <= FillPricer.maxQuantity else { return nil }
            let q = raw.rounded(toDecimals: lotDecimals, .down)
            return PricedOrder(quantity: q, cost: q * p, beyondVisibleDepth: false)
        case .book(let levels):
            var remaining = notional
            var q = Quantity.zero
            for l in levels {
                let levelCost = l.size * l.price
                if levelCost <= remaining {
                    q += l.size
                    remaining -= levelCost
                } else {
                    q += remaining.quantity(at: l.price, .down)
                    remaining = .zero
                    break
                }
            }
            if remaining.isPositive, let last = levels.last {
                guard let extra = remaining.quantityChecked(at: slipped(last.price), .down), extra <= FillPricer.maxQuantity else { return nil }
                q += extra
            }
            // Round down to the lot, then price exactly that quantity.
            return price(quantity: q.rounded(toDecimals: lotDecimals, .down), basis: basis)
        }
    }

    /// Cost of exactly `quantity` (already on the lot).
    func price(quantity: Quantity, basis: PriceBasis) -> PricedOrder {
        switch basis {
        case .single(let p):
            return PricedOrder(quantity: quantity, cost: quantity * p, beyondVisibleDepth: false)
        case .book(let levels):
            var remaining = quantity
            var cost = Money.zero
            for l in levels where remaining.isPositive {
                let take = Quantity.min(l.size, remaining)
                cost += take * l.price
                remaining -= take
            }
            var beyond = false
            if remaining.isPositive {
                beyond = true
                cost += remaining * slipped(levels.last!.price)
            }
            return PricedOrder(quantity: quantity, cost: cost, beyondVisibleDepth: beyond)
        }
    }
}

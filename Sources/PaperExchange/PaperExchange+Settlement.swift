import TradingCore

extension PaperExchange {
    /// Books a priced order into the portfolio and returns the fill (engine §2.4, Swift rules).
    func settle(_ signal: Signal, order: PricedOrder, p: Portfolio, now: Timestamp, quoteUSD: Price, capped: Bool,
                requestedUSD: Money, trigger: ExitTrigger?, quoteIsCash: Bool, orderId: OrderID, liquidity: Liquidity) -> Fill {
        let symbol = signal.symbol
        let base = symbol.base
        let q = order.quantity
        let cost = order.cost
        let fee = cost.scaled(by: config.feeRate(liquidity))
        let execPrice = order.price
        let lot = instruments[symbol]!.lot
        var pnlQuote = Money.zero
        var closing = false

        func moveQuote(_ m: Money) {
            if quoteIsCash { p.cash += m } else { p.assets[symbol.quote, default: .zero] += Quantity(raw: m.raw) }
        }

        switch signal.action {
        case .buy, .short:
            let isBuy = signal.action == .buy
            moveQuote(isBuy ? -(cost + fee) : cost - fee)
            p.assets[base, default: .zero] += isBuy ? q : -q
            if var pos = p.positions[symbol] {
                pos.size += q
                pos.costBasis += cost
                pos.entryFee += fee
                if let sl = signal.stopLoss, sl.isPositive { pos.stopLoss = sl }
                if let tp = signal.takeProfit, tp.isPositive { pos.takeProfit = tp }
                pos.highestPrice = Price.max(pos.highestPrice, execPrice)
                pos.lowestPrice = Price.min(pos.lowestPrice, execPrice)
                p.positions[symbol] = pos
            } else {
                p.positions[symbol] = Position(symbol: symbol, side: isBuy ? .long : .short, size: q, costBasis: cost,
                                               entryTime: now, stopLoss: signal.stopLoss.flatMap { $0.isPositive ? $0 : nil },
                                               takeProfit: signal.takeProfit.flatMap { $0.isPositive ? $0 : nil },
                                               highestPrice: execPrice, lowestPrice: execPrice, entryFee: fee)
            }
        case .sell, .cover:
            let isSell = signal.action == .sell
            moveQuote(isSell ? cost - fee : -(cost + fee))
            p.assets[base, default: .zero] += isSell ? -q : q
            if var pos = p.positions[symbol], pos.side == (isSell ? .long : .short) {
                closing = true
                let qPos = Quantity.min(q, pos.size)
                // Only the part that closes the position carries P&L (excess inventory sold realizes none).
                let valuePos = qPos == q ? cost : qPos.fraction(of: cost, over: q)
                let feePos = qPos == q ? fee : qPos.fraction(of: fee, over: q)
                let basisPart = qPos == pos.size ? pos.costBasis : qPos.fraction(of: pos.costBasis, over: pos.size)
                let feePart = qPos == pos.size ? pos.entryFee : qPos.fraction(of: pos.entryFee, over: pos.size)
                let gross = isSell ? valuePos - basisPart : basisPart - valuePos
                pnlQuote = gross - feePos - feePart
                pos.size -= qPos
                pos.costBasis -= basisPart
                pos.entryFee -= feePart
                if pos.size < lot {
                    // Dust: below one lot the position is gone and the residual balance is cleared.
                    p.positions[symbol] = nil
                    p.roundTrips += 1
                    if let bal = p.assets[base], bal.magnitude < lot { p.assets[base] = .zero }
                } else {
                    p.positions[symbol] = pos
                }
            } else if let bal = p.assets[base], bal.isPositive, bal < lot {
                p.assets[base] = .zero
            }
        }
        if let bal = p.assets[base], bal.isZero { p.assets[base] = nil }

        let pnlUSD = pnlQuote.converted(at: quoteUSD)
        let fill = Fill(fillId: p.nextFillId(), timestamp: now, symbol: symbol, side: signal.action, size: q, price: execPrice,
                        fee: fee, feeUSD: fee.converted(at: quoteUSD), pnl: pnlUSD, strategy: p.strategy,
                        signalReason: signal.reason, trigger: trigger, requestedNotionalUSD: requestedUSD, capped: capped,
                        beyondVisibleDepth: order.beyondVisibleDepth, quoteUSD: quoteUSD, isClosing: closing,
                        orderId: orderId, liquidity: liquidity, clientTag: signal.clientTag)
        p.fills.append(fill)
        p.totalFills += 1
        if liquidity == .maker { p.makerFills += 1 } else { p.takerFills += 1 }
        p.lastTradeAt = now
        p.feesUSD += fill.feeUSD
        if capped { p.cappedFills += 1 }
        var stats = p.pairs[symbol] ?? PairStats()
        stats.fills += 1
        stats.fees += fill.feeUSD
        stats.volume += cost.converted(at: quoteUSD)
        if closing { stats.realizedPnl += pnlUSD }
        p.pairs[symbol] = stats
        if let trigger { p.exits[trigger, default: 0] += 1 }
        if closing { p.recordClose(pnlUSD: pnlUSD, symbol: symbol) }
        return fill
    }
}

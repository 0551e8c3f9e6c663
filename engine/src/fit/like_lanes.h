/* partonflow fit: the lane-order event passes of like.c, included there once per form of
 * the multiply-add x y + z (like.c): PF_LN(name) names this instance's functions,
 * PF_LN_ATTR its target attribute and PF_LN_MADD(x, y, z) the fused multiply-add on
 * pf_ev_v4 (one rounding: the hardware's FMA, or C's fma per lane, the same bits).  Not a
 * public header. */

/* The dot product of one stencil row, event by event (events_block_stencil), with the lane
 * pass's operations per lane: t[k] = wr_0 g_0[k], t[k] = fma(wr_r, g_r[k], t[k]) for
 * r = 1..3; p[j] = wc_{j/2} t[j], h[j] = fma(wc_{2+j/2}, t[j+4], p[j]); d = fma(fl, h1 + h3,
 * f2 (h0 + h2)). */
PF_LN_ATTR PF_EV_AI double PF_LN(dot)(const double *sw, const double *g0, size_t rs)
{
    const pf_ev_v4 w0 = {sw[0], sw[0], sw[0], sw[0]};
    pf_ev_v4 t0, t1, g;
    pf_ev_v4_ld(&t0, g0);
    pf_ev_v4_ld(&t1, g0 + 4);
    t0 = w0 * t0;
    t1 = w0 * t1;
    for (int r = 1; r < 4; r++) {
        const double *gr = g0 + (size_t)r * rs;
        const pf_ev_v4 wr = {sw[r], sw[r], sw[r], sw[r]};
        pf_ev_v4_ld(&g, gr);
        t0 = PF_LN_MADD(wr, g, t0);
        pf_ev_v4_ld(&g, gr + 4);
        t1 = PF_LN_MADD(wr, g, t1);
    }
    pf_ev_v4 c0, c1;
    pf_ev_v4_colw(sw, &c0, &c1);
    const pf_ev_v4 h = PF_LN_MADD(c1, t1, c0 * t0);
    return __builtin_fma(sw[9], h[1] + h[3], sw[8] * (h[0] + h[2]));
}

/* The run accumulators (U[2 r + h]: Q^2 row r, values 4 h .. 4 h + 3) += the row's terms
 * (s wr_r)(f_a wc_c), fused into U. */
PF_LN_ATTR PF_EV_AI void PF_LN(run_add)(const double *sw, double s, pf_ev_v4 *U)
{
    pf_ev_v4 c0, c1;
    pf_ev_v4_colw(sw, &c0, &c1);
    const pf_ev_v4 f = {sw[8], sw[9], sw[8], sw[9]};
    const pf_ev_v4 q0 = f * c0, q1 = f * c1;
    for (int r = 0; r < 4; r++) {
        const double swr = s * sw[r];
        const pf_ev_v4 sr = {swr, swr, swr, swr};
        U[2 * r] = PF_LN_MADD(sr, q0, U[2 * r]);
        U[2 * r + 1] = PF_LN_MADD(sr, q1, U[2 * r + 1]);
    }
}

PF_LN_ATTR static long PF_LN(events_block_lanes)(pf_like *lk, const double *G, size_t b, size_t nev, int want_grad)
{
    const size_t len = nev + 1, rs = 2 * lk->st_nx;
    const uint64_t g0 = lk->ln_blk[b], g1 = lk->ln_blk[b + 1];
    long bad = -1;
    double *part = lk->partials + b * len;
    double *u = part + 1;
    if (want_grad) memset(u, 0, nev * sizeof *u);
    log_acc la = {0};
    lane_log ll;
    lane_log_init(&ll);
    pf_ev_v4 U[8], Dv[PF_LANE_CHUNK], Sv[PF_LANE_CHUNK], Gb[32];
    for (int k = 0; k < 8; k++) U[k] = (pf_ev_v4){0.0, 0.0, 0.0, 0.0};
    memset(Gb, 0, sizeof Gb);
    for (uint64_t c0 = g0; c0 < g1; c0 += PF_LANE_CHUNK) {
        const uint64_t c1 = c0 + PF_LANE_CHUNK < g1 ? c0 + PF_LANE_CHUNK : g1;
        /* 1: densities */
        for (uint64_t g = c0; g < c1; g++) {
            const pf_ev_v4 *W = (const pf_ev_v4 *)__builtin_assume_aligned(lk->ln_w + g * PF_LANE_W, 32);
#ifdef __GNUC__
            if (g + PF_LANE_PREFETCH < g1)
                for (int q = 0; q < PF_LANE_W; q += 8) __builtin_prefetch(lk->ln_w + (g + PF_LANE_PREFETCH) * PF_LANE_W + q);
#endif
            if (g == g0 || (lk->ln_cnt[g - 1] & PF_LANE_RUN_END)) { /* a new run */
                const double *gb = G + lk->ln_base[g];
                for (int r = 0; r < 4; r++)
                    for (int k = 0; k < 8; k++) {
                        const double a = gb[(size_t)r * rs + k];
                        Gb[8 * r + k] = (pf_ev_v4){a, a, a, a};
                    }
            }
            /* t[k] = sum_r wr_r g_r[k] for k = 0..3, times the column weights; then k = 4..7 */
            pf_ev_v4 p[4], h[4], t[4];
            for (int k = 0; k < 4; k++) t[k] = W[0] * Gb[k];
            for (int r = 1; r < 4; r++)
                for (int k = 0; k < 4; k++) t[k] = PF_LN_MADD(W[r], Gb[8 * r + k], t[k]);
            for (int j = 0; j < 4; j++) p[j] = W[4 + j / 2] * t[j];
            for (int k = 0; k < 4; k++) t[k] = W[0] * Gb[4 + k];
            for (int r = 1; r < 4; r++)
                for (int k = 0; k < 4; k++) t[k] = PF_LN_MADD(W[r], Gb[8 * r + 4 + k], t[k]);
            for (int j = 0; j < 4; j++) h[j] = PF_LN_MADD(W[6 + j / 2], t[j], p[j]);
            Dv[g - c0] = PF_LN_MADD(W[9], h[1] + h[3], W[8] * (h[0] + h[2]));
        }
        /* 2: ln d, s = wt / d (0 in unused lanes and for weight 0 or d <= 0) */
        for (uint64_t g = c0; g < c1; g++) {
            const size_t pos = lk->ln_pos[g];
            const int cnt = lk->ln_cnt[g] & PF_LANE_COUNT;
            pf_ev_v4 d = Dv[g - c0], wv = {1.0, 1.0, 1.0, 1.0};
            if (!lk->wt) {
                if (cnt < 4 || !(d[0] > 0.0 && d[1] > 0.0 && d[2] > 0.0 && d[3] > 0.0))
                    for (int l = 0; l < 4; l++) {
                        if (l < cnt && !(d[l] > 0.0)) {
                            const long oi = (long)orig_index(lk, pos + l);
                            if (bad < 0 || oi < bad) bad = oi;
                        }
                        if (l >= cnt || !(d[l] > 0.0)) d[l] = 1.0, wv[l] = 0.0;
                    }
                lane_log_group(&ll, &d);
            } else {
                for (int l = 0; l < 4; l++) {
                    const double wt = l < cnt ? lk->wt[pos + l] : 0.0;
                    if (wt != 0.0 && !(d[l] > 0.0)) {
                        const long oi = (long)orig_index(lk, pos + l);
                        if (bad < 0 || oi < bad) bad = oi;
                    } else if (wt != 0.0) {
                        log_add(&la, wt, d[l]);
                    }
                    if (wt == 0.0 || !(d[l] > 0.0)) d[l] = 1.0, wv[l] = 0.0;
                    else wv[l] = wt;
                }
            }
            Sv[g - c0] = wv / d;
        }
        if (!want_grad) continue;
        /* 3: the scatter into the run accumulators, event by event */
        for (uint64_t g = c0; g < c1; g++) {
            const pf_ev_v4 *W = (const pf_ev_v4 *)__builtin_assume_aligned(lk->ln_w + g * PF_LANE_W, 32);
            const pf_ev_v4 S = Sv[g - c0];
            double xs[16]; /* s wr_r of lane l at xs[4 r + l], broadcast from memory */
            for (int r = 0; r < 4; r++) {
                const pf_ev_v4 x = S * W[r];
                memcpy(xs + 4 * r, &x, sizeof x);
            }
            /* f_a wc_c per lane, transposed to each event's (F2, FL) pairs of columns 0, 1
             * (q0) and 2, 3 (q1) */
            pf_ev_v4 lo[4], hi[4], q0[4], q1[4];
            for (int c = 0; c < 4; c++) {
                const pf_ev_v4 y2 = W[8] * W[4 + c], yl = W[9] * W[4 + c];
                lo[c] = PF_LN_SHUF(y2, yl, 0, 4, 2, 6); /* lanes 0, 2 */
                hi[c] = PF_LN_SHUF(y2, yl, 1, 5, 3, 7); /* lanes 1, 3 */
            }
            q0[0] = PF_LN_SHUF(lo[0], lo[1], 0, 1, 4, 5);
            q0[1] = PF_LN_SHUF(hi[0], hi[1], 0, 1, 4, 5);
            q0[2] = PF_LN_SHUF(lo[0], lo[1], 2, 3, 6, 7);
            q0[3] = PF_LN_SHUF(hi[0], hi[1], 2, 3, 6, 7);
            q1[0] = PF_LN_SHUF(lo[2], lo[3], 0, 1, 4, 5);
            q1[1] = PF_LN_SHUF(hi[2], hi[3], 0, 1, 4, 5);
            q1[2] = PF_LN_SHUF(lo[2], lo[3], 2, 3, 6, 7);
            q1[3] = PF_LN_SHUF(hi[2], hi[3], 2, 3, 6, 7);
            for (int l = 0; l < 4; l++)
                for (int r = 0; r < 4; r++) {
                    const double x = xs[4 * r + l];
                    const pf_ev_v4 xb = {x, x, x, x};
                    U[2 * r] = PF_LN_MADD(xb, q0[l], U[2 * r]);
                    U[2 * r + 1] = PF_LN_MADD(xb, q1[l], U[2 * r + 1]);
                }
            if (lk->ln_cnt[g] & PF_LANE_RUN_END) run_flush_v4(U, u + lk->ln_base[g], rs);
        }
    }
    part[0] = lk->wt ? log_flush(&la) : lane_log_end(&ll);
    return bad;
}

PF_LN_ATTR static long PF_LN(events_block_stencil)(pf_like *lk, const double *G, size_t b, size_t nev, int want_grad)
{
    const size_t len = nev + 1, rs = 2 * lk->st_nx;
    long bad = -1;
    double *part = lk->partials + b * len;
    double *u = part + 1;
    if (want_grad) memset(u, 0, nev * sizeof *u);
    const size_t i0 = b * PF_LIKE_BLOCK, i1 = i0 + PF_LIKE_BLOCK < lk->n ? i0 + PF_LIKE_BLOCK : lk->n;
    log_acc la = {0};
    lane_log ll;
    lane_log_init(&ll);
    double dd[PF_LIKE_CHUNK], ss[PF_LIKE_CHUNK], wv[PF_LIKE_CHUNK];
    double swbuf[PF_LIKE_CHUNK * PF_LIKE_STW];
    unsigned char use[PF_LIKE_CHUNK]; /* the event adds to ln L and u */
    pf_ev_v4 U[8];
    for (int k = 0; k < 8; k++) U[k] = (pf_ev_v4){0.0, 0.0, 0.0, 0.0};
    size_t run_base = SIZE_MAX;
    for (size_t c0 = i0; c0 < i1; c0 += PF_LIKE_CHUNK) {
        const size_t m = c0 + PF_LIKE_CHUNK < i1 ? PF_LIKE_CHUNK : i1 - c0;
        /* 1: densities */
        for (size_t j = 0; j < m; j++) {
            const size_t i = c0 + j;
            const double *sw = lk->st_w ? lk->st_w + i * PF_LIKE_STW : swbuf + j * PF_LIKE_STW;
            if (!lk->st_w) /* compact rows: the weights formed here, the same bits */
                pf_ev_stencil_expand(lk->st_loc + i * PF_LIKE_STL, lk->st_xf ? lk->st_xf[i] : 1.0,
                                     lk->st_xf ? lk->st_xpow + (lk->st_base[i] / 2) % lk->st_nx : NULL,
                                     swbuf + j * PF_LIKE_STW);
            dd[j] = PF_LN(dot)(sw, G + lk->st_base[i], rs);
        }
        /* 2: ln d in held order, s = wt / d */
        for (size_t j = 0; j < m; j++) {
            const double d = dd[j];
            const int ok = d > 0.0;
            wv[j] = lk->wt ? lk->wt[c0 + j] : 1.0;
            use[j] = 0;
            if (!lk->wt) lane_log_event(&ll, lk->st_base[c0 + j], ok, d);
            if (wv[j] == 0.0) continue;
            if (!ok) { /* the lowest such event in the caller's order */
                const long oi = (long)orig_index(lk, c0 + j);
                if (bad < 0 || oi < bad) bad = oi;
                continue;
            }
            if (lk->wt) log_add(&la, wv[j], d);
            ss[j] = wv[j] / d;
            use[j] = 1;
        }
        if (!want_grad) continue;
        /* 3: the scatter */
        for (size_t j = 0; j < m; j++) {
            if (!use[j]) continue;
            const size_t i = c0 + j, B = lk->st_base[i];
            if (B != run_base) {
                if (run_base != SIZE_MAX) run_flush_v4(U, u + run_base, rs);
                run_base = B;
            }
            PF_LN(run_add)(lk->st_w ? lk->st_w + i * PF_LIKE_STW : swbuf + j * PF_LIKE_STW, ss[j], U);
        }
    }
    if (run_base != SIZE_MAX) run_flush_v4(U, u + run_base, rs);
    part[0] = lk->wt ? log_flush(&la) : lane_log_end(&ll);
    return bad;
}

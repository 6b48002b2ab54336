(module
  (memory (export "memory") 1)
  ;; summarize(ptr, rows, width, out): rows × width float32 values at byte offset ptr. Writes eight
  ;; f64 at out: the even and odd lanes of the sum and of the sum of squares (elements at even and
  ;; odd offsets, each lane added in index order), the nonzero count, and the row-wise mass,
  ;; Σ|v|·col and Σ rowMass·row. The same additions in the same order as summarizeRowsJs in
  ;; src/feature-pass.ts, so both give identical bits. With an odd width the lanes follow columns,
  ;; not offsets: the caller recomputes them then.
  (func (export "summarize") (param $ptr i32) (param $rows i32) (param $width i32) (param $out i32)
    (local $row i32) (local $base i32) (local $col i32) (local $even i32)
    (local $s v128) (local $q v128) (local $m v128) (local $x v128) (local $z v128) (local $c v128)
    (local $v v128) (local $a v128)
    (local $mass f64) (local $momentX f64) (local $momentY f64)
    (local $m0 f64) (local $x0 f64) (local $t f64) (local $rowMass f64)
    (local.set $even (i32.and (local.get $width) (i32.const -2)))
    (local.set $base (local.get $ptr))
    (local.set $s (f64x2.splat (f64.const 0)))
    (local.set $q (f64x2.splat (f64.const 0)))
    (local.set $z (i64x2.splat (i64.const 0)))
    (block $rows_done
      (loop $rows_loop
        (br_if $rows_done (i32.ge_s (local.get $row) (local.get $rows)))
        (local.set $m (f64x2.splat (f64.const 0)))
        (local.set $x (f64x2.splat (f64.const 0)))
        (local.set $c (v128.const f64x2 0 1))
        (local.set $col (i32.const 0))
        (block $cols_done
          (loop $cols_loop
            (br_if $cols_done (i32.ge_s (local.get $col) (local.get $even)))
            (local.set $v (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $base) (i32.shl (local.get $col) (i32.const 2))))))
            (local.set $a (f64x2.abs (local.get $v)))
            (local.set $s (f64x2.add (local.get $s) (local.get $v)))
            (local.set $q (f64x2.add (local.get $q) (f64x2.mul (local.get $v) (local.get $v))))
            (local.set $z (i64x2.sub (local.get $z) (f64x2.ne (local.get $v) (f64x2.splat (f64.const 0)))))
            (local.set $m (f64x2.add (local.get $m) (local.get $a)))
            (local.set $x (f64x2.add (local.get $x) (f64x2.mul (local.get $a) (local.get $c))))
            (local.set $c (f64x2.add (local.get $c) (f64x2.splat (f64.const 2))))
            (local.set $col (i32.add (local.get $col) (i32.const 2)))
            (br $cols_loop)))
        (local.set $m0 (f64x2.extract_lane 0 (local.get $m)))
        (local.set $x0 (f64x2.extract_lane 0 (local.get $x)))
        ;; An odd width: the last column joins the even lane of the moments.
        (if (i32.lt_s (local.get $col) (local.get $width))
          (then
            (local.set $t (f64.abs (f64.promote_f32 (f32.load (i32.add (local.get $base) (i32.shl (local.get $col) (i32.const 2)))))))
            (local.set $m0 (f64.add (local.get $m0) (local.get $t)))
            (local.set $x0 (f64.add (local.get $x0) (f64.mul (local.get $t) (f64.convert_i32_s (local.get $col)))))))
        (local.set $rowMass (f64.add (local.get $m0) (f64x2.extract_lane 1 (local.get $m))))
        (local.set $momentX (f64.add (local.get $momentX) (f64.add (local.get $x0) (f64x2.extract_lane 1 (local.get $x)))))
        (local.set $mass (f64.add (local.get $mass) (local.get $rowMass)))
        (local.set $momentY (f64.add (local.get $momentY) (f64.mul (local.get $rowMass) (f64.convert_i32_s (local.get $row)))))
        (local.set $base (i32.add (local.get $base) (i32.shl (local.get $width) (i32.const 2))))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows_loop)))
    (f64.store offset=0 (local.get $out) (f64x2.extract_lane 0 (local.get $s)))
    (f64.store offset=8 (local.get $out) (f64x2.extract_lane 1 (local.get $s)))
    (f64.store offset=16 (local.get $out) (f64x2.extract_lane 0 (local.get $q)))
    (f64.store offset=24 (local.get $out) (f64x2.extract_lane 1 (local.get $q)))
    (f64.store offset=32 (local.get $out) (f64.convert_i64_s (i64.add (i64x2.extract_lane 0 (local.get $z)) (i64x2.extract_lane 1 (local.get $z)))))
    (f64.store offset=40 (local.get $out) (local.get $mass))
    (f64.store offset=48 (local.get $out) (local.get $momentX))
    (f64.store offset=56 (local.get $out) (local.get $momentY))))

/* gemm.c — dense products (ONNX Gemm and MatMul) through OpenBLAS.
 *
 * vggrt_gemm: Y = alpha * op(A) op(B) + beta * C, with C broadcast through
 * its two strides (a bias row is c_rs = 0, c_cs = 1; a column c_cs = 0; a
 * scalar both 0).  C is first spread into Y scaled by beta, then one sgemm
 * accumulates into Y with beta 1; without C, sgemm writes Y with beta 0.
 * Y may be C itself when C is dense (c_rs = N, c_cs = 1).
 *
 * vggrt_matmul: one sgemm per batch index, the operands' batch offsets
 * from their strides (0 broadcasts), Y dense.  When B is shared by the
 * whole batch and A's batch is dense, the batch folds into M: one sgemm of
 * (batch*M) x K x N, the shape of a dense layer over a batch.
 *
 * Degenerate sizes (M, N or K = 0) are handled here, never passed to BLAS:
 * reference BLAS and OpenBLAS print through xerbla on arguments they deem
 * illegal, and the runtime must not print.  Sizes must fit in blasint (int
 * in the default OpenBLAS build); the compiler only emits layers that do.
 */
#include "vggrt.h"

#include <cblas.h>
#include <string.h>

void vggrt_gemm(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                const float *C, int64_t c_rs, int64_t c_cs, float *Y) {
    if (M <= 0 || N <= 0)
        return;
    float beta_blas = 0.0f;
    if (C && beta != 0.0f) {
        for (int64_t i = 0; i < M; i++) {
            const float *c = C + i * c_rs;
            float *y = Y + i * N;
            if (c_cs == 1) {
                for (int64_t j = 0; j < N; j++)
                    y[j] = beta * c[j];
            } else if (c_cs == 0) {
                float v = beta * c[0];
                for (int64_t j = 0; j < N; j++)
                    y[j] = v;
            } else {
                for (int64_t j = 0; j < N; j++)
                    y[j] = beta * c[j * c_cs];
            }
        }
        beta_blas = 1.0f;
    }
    if (K <= 0 || alpha == 0.0f) {
        if (beta_blas == 0.0f)
            memset(Y, 0, (size_t)(M * N) * sizeof *Y);
        return;
    }
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (blasint)M, (blasint)N, (blasint)K, alpha, A,
                (blasint)lda, B, (blasint)ldb, beta_blas, Y, (blasint)N);
}

void vggrt_matmul(int brank, const int64_t *bdims, const int64_t *astr, const int64_t *bstr,
                  int64_t M, int64_t K, int64_t N, const float *A, const float *B, float *Y) {
    int64_t batch = 1;
    for (int d = 0; d < brank; d++)
        batch *= bdims[d];
    if (batch == 0 || M == 0 || N == 0)
        return;
    if (K == 0) {
        memset(Y, 0, (size_t)(batch * M * N) * sizeof *Y);
        return;
    }
    /* B shared and A dense over the batch: fold the batch into M. */
    int fold = 1;
    int64_t dense = M * K;
    for (int d = brank - 1; d >= 0 && fold; d--) {
        if (bdims[d] == 1)
            continue;
        fold = bstr[d] == 0 && astr[d] == dense;
        dense *= bdims[d];
    }
    if (fold) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)(batch * M), (blasint)N,
                    (blasint)K, 1.0f, A, (blasint)K, B, (blasint)N, 0.0f, Y, (blasint)N);
        return;
    }
    for (int64_t bi = 0; bi < batch; bi++) {
        int64_t rest = bi, ao = 0, bo = 0;
        for (int d = brank - 1; d >= 0; d--) {
            int64_t i = rest % bdims[d];
            rest /= bdims[d];
            ao += i * astr[d];
            bo += i * bstr[d];
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)M, (blasint)N, (blasint)K,
                    1.0f, A + ao, (blasint)K, B + bo, (blasint)N, 0.0f, Y + bi * M * N,
                    (blasint)N);
    }
}

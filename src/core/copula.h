#pragma once
// Gaussian copula for rank-correlated inputs (Iman & Conover 1982 in spirit; the normal-scores
// construction of docs/model-spec.md): normal scores get Pearson correlation 2 sin(pi r / 6),
// which gives Spearman rank correlation r between the inputs.
#include <Eigen/Dense>
#include <optional>
#include <vector>

namespace mppmc {

class GaussianCopula {
 public:
  //! Pearson correlation of the normal scores that yields Spearman rank correlation r.
  static double pearson_from_spearman(double r);

  //! Builds the copula over `dimension` inputs from pairwise rank correlations
  //! (pairs of indices into 0..dimension-1, each pair at most once). Returns nullopt when the
  //! implied correlation matrix is not positive definite.
  static std::optional<GaussianCopula> build(int dimension, const std::vector<std::pair<int, int>>& pairs,
                                             const std::vector<double>& rank_correlations);

  int dimension() const { return static_cast<int>(cholesky_.rows()); }
  //! Maps independent uniforms to correlated uniforms in place: z = Phi^-1(u), z' = L z,
  //! u' = Phi(z'), where L L^T is the correlation matrix.
  void correlate(double* uniforms) const;
  const Eigen::MatrixXd& correlation() const { return correlation_; }

 private:
  Eigen::MatrixXd correlation_;
  Eigen::MatrixXd cholesky_;  // lower triangular
};

}  // namespace mppmc

package io.tollgate.common.problem;

/**
 * Carries a {@link Problem} from a domain service to the one HTTP boundary that writes it.
 * No stack trace is captured: these are expected outcomes, not bugs.
 */
public final class ProblemException extends RuntimeException {
    private final Problem problem;

    public ProblemException(Problem problem) {
        super(problem.type().slug() + (problem.detail() == null ? "" : ": " + problem.detail()), null, false, false);
        this.problem = problem;
    }

    public static ProblemException of(ProblemType type, String detail) {
        return new ProblemException(Problem.of(type, detail));
    }

    public Problem problem() {
        return problem;
    }
}

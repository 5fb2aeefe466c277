using ImageOrleans.Grains.Accounts;

namespace ImageOrleans.Grains.Tests.Accounts;

/// <summary>Silo turn-taking as a plain class: who gets freed capacity, and for how long it is held.</summary>
public sealed class SiloTurnsRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(200);

    private readonly SiloTurns<string> _turns = new(Window);

    [Fact]
    public void Nobody_waiting_means_the_asker_takes_it()
    {
        Assert.Null(_turns.HeldFor("near", Now, out var call));
        Assert.Null(call);
    }

    [Fact]
    public void Capacity_is_held_for_the_silo_that_waited_longest_which_is_called_once()
    {
        _turns.TurnedAway("far");
        _turns.TurnedAway("near");
        _turns.TurnedAway("far");
        Assert.Equal(2, _turns.Waiting);

        Assert.Equal(Now + Window, _turns.HeldFor("near", Now, out var call));
        Assert.Equal("far", call);
        Assert.Equal(Now + Window, _turns.HeldFor("near", Now.AddMilliseconds(100), out var again));
        Assert.Null(again);

        Assert.Null(_turns.HeldFor("far", Now.AddMilliseconds(100), out _));
        _turns.Took("far");

        // Now it is the near silo's turn, even if the far one asks first.
        Assert.Equal(Now.AddSeconds(1) + Window, _turns.HeldFor("far", Now.AddSeconds(1), out var next));
        Assert.Equal("near", next);
    }

    [Fact]
    public void A_silo_that_does_not_come_within_the_window_loses_its_turn()
    {
        _turns.TurnedAway("gone");

        Assert.NotNull(_turns.HeldFor("present", Now, out _));
        Assert.Null(_turns.HeldFor("present", Now + Window, out _));
        Assert.Equal(0, _turns.Waiting);
    }

    [Fact]
    public void After_one_silo_missed_its_turn_the_next_in_line_is_held_for_and_called()
    {
        _turns.TurnedAway("gone");
        _turns.TurnedAway("second");

        Assert.NotNull(_turns.HeldFor("third", Now, out _));
        Assert.Equal(Now + Window + Window, _turns.HeldFor("third", Now + Window, out var call));
        Assert.Equal("second", call);
    }
}

using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.Tests.Caching;

/// <summary>
/// The silo's in-process view of its prompt cache activations' answers (how the activations keep it is
/// tested with the write-behind, in <see cref="WriteBehindTests"/>).
/// </summary>
public sealed class CachedAnswersTests
{
    [Fact]
    public void An_entry_is_served_until_it_expires_and_only_its_writer_removes_it()
    {
        var answers = new CachedAnswers();
        var now = DateTimeOffset.UnixEpoch.AddDays(20_000);
        var result = new GenerationResult { Created = 1, Images = [new GeneratedImage { ImageId = "a.png", ContentType = "image/png" }], AccountId = "acc" };
        var first = new object();
        var second = new object();

        answers.Set("k", first, result, now.AddMinutes(1));
        Assert.Same(result, answers.Find("k", now));
        Assert.Null(answers.Find("k", now.AddMinutes(1)));

        // Found expired, it is gone, whoever wrote it.
        Assert.Equal(0, answers.Count);

        // A newer activation for the same key wrote over it: the older one ending leaves the newer entry.
        answers.Set("k", second, result, now.AddMinutes(5));
        answers.Remove("k", first);
        Assert.Same(result, answers.Find("k", now.AddMinutes(2)));
        answers.Remove("k", second);
        Assert.Null(answers.Find("k", now));
        Assert.Equal(0, answers.Count);
    }

    [Fact]
    public void An_answer_whose_images_a_front_door_found_gone_is_dropped_whoever_wrote_it_but_not_a_newer_one()
    {
        var answers = new CachedAnswers();
        var now = DateTimeOffset.UnixEpoch.AddDays(20_000);
        var swept = new GenerationResult { Created = 1, Images = [new GeneratedImage { ImageId = "a.png", ContentType = "image/png" }], AccountId = "acc" };
        var newer = swept with { Images = [new GeneratedImage { ImageId = "b.png", ContentType = "image/png" }] };

        answers.Set("k", new object(), newer, now.AddMinutes(5));
        answers.Drop("k", swept);
        Assert.Same(newer, answers.Find("k", now));

        answers.Set("k", new object(), swept, now.AddMinutes(5));
        answers.Drop("k", swept);
        Assert.Null(answers.Find("k", now));
    }
}
